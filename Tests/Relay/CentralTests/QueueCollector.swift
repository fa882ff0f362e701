import AMQP
import FlightEdgeTestSupport
import Foundation
import Synchronization

/// Consumes the relay's queue as the relay user on a thread of its own, acknowledging everything
/// and remembering the numbers of the messages that carry this test's marker (`"<marker> <n>"`).
/// Connects to node 1 first; when its node goes away it moves on to the next, as the relay does.
final class QueueCollector: Sendable {
    private struct State {
        var received: Set<Int> = []
        var deliveries = 0
        var reconnects = 0
        var stopped = false
        var lastError: String?
    }
    private let state = Mutex(State())
    private let finished = DispatchSemaphore(value: 0)
    let marker: String

    init(marker: String) throws {
        self.marker = marker
        let endpoints = try CentralCluster.amqpURLs.map { try AMQPEndpoint(url: $0) }
        let queue = try CentralCluster.queue
        let ready = DispatchSemaphore(value: 0)
        let thread = Thread { [self] in
            consume(endpoints: endpoints, queue: queue, ready: ready)
            finished.signal()
        }
        thread.start()
        guard ready.wait(timeout: .now() + 20) == .success else {
            stop()
            throw TestSupportError(.connectionFailed, "the collector could not consume \(queue): \(lastError ?? "?")")
        }
    }

    var received: Set<Int> { state.withLock { $0.received } }
    /// Deliveries with this test's marker, duplicates included.
    var deliveries: Int { state.withLock { $0.deliveries } }
    var reconnects: Int { state.withLock { $0.reconnects } }
    var lastError: String? { state.withLock { $0.lastError } }

    /// Waits until `count` distinct numbers arrived or `seconds` passed; returns whether they did.
    @discardableResult
    func wait(for count: Int, seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if received.count >= count { return true }
            Thread.sleep(forTimeInterval: 0.05)
        }
        return received.count >= count
    }

    func stop() {
        let already = state.withLock { state in
            defer { state.stopped = true }
            return state.stopped
        }
        if !already { _ = finished.wait(timeout: .now() + 5) }
    }

    private func consume(endpoints: [AMQPEndpoint], queue: String, ready: DispatchSemaphore) {
        var next = 0
        var signalled = false
        while !state.withLock({ $0.stopped }) {
            do {
                let (connection, index) = try AMQPConnection.connect(toFirstOf: endpoints, startingAt: next)
                defer { connection.close() }
                next = (index + 1) % endpoints.count
                try connection.consume(queue: queue, prefetch: 200)
                if !signalled {
                    signalled = true
                    ready.signal()
                }
                while !state.withLock({ $0.stopped }) {
                    guard let delivery = try connection.nextDelivery(timeout: .milliseconds(100)) else { continue }
                    let text = String(decoding: delivery.body, as: UTF8.self).split(separator: " ")
                    if text.count == 2, text[0] == marker, let number = Int(text[1]) {
                        state.withLock { state in
                            state.received.insert(number)
                            state.deliveries += 1
                        }
                    }
                    try connection.ack(delivery.deliveryTag)
                }
            } catch {
                state.withLock { state in
                    state.reconnects += 1
                    state.lastError = "\(error)"
                }
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
    }
}
