import AMQP
import EventSource
import FlightEdgeTestSupport
import Foundation
import Logging
import Synchronization
import Testing

extension CentralTests {
    /// What the handlers of two competing sources were given, in order.
    private final class Handovers: Sendable {
        let log = Mutex<[(source: String, number: Int)]>([])
        func record(_ source: String, _ number: Int) { log.withLock { $0.append((source, number)) } }
        func numbers(_ source: String) -> [Int] { log.withLock { $0.filter { $0.source == source }.map(\.number) } }
        var all: [Int] { log.withLock { $0.map(\.number) } }
    }

    private func source(heartbeat: Int32 = 30) throws -> AMQPEventSource {
        var settings = try AMQPEventSource.Settings(
            urls: try CentralCluster.amqpURLs, username: "relay", password: try CentralCluster.relayPassword,
            queue: try CentralCluster.queue)
        settings.heartbeatSeconds = heartbeat
        settings.prefetch = 20
        return AMQPEventSource(settings: settings, logger: Logger(label: "central-test"))
    }

    @Test func relaySourcesCompeteAndAcknowledgeOnlyAfterTheHandler() async throws {
        _ = try CentralCluster.addAirport("XYZ")
        let marker = Self.marker()
        let handovers = Handovers()
        let release = DispatchSemaphore(value: 0)
        let number: @Sendable (SourceMessage) -> Int? = { message in
            let words = String(decoding: message.payload, as: UTF8.self).split(separator: " ")
            guard words.count == 2, words[0] == marker, message.topic == "flightedge/XYZ/events/delay" else { return nil }
            return Int(words[1])
        }
        // A holds message 0 in its handler, i.e. before the relay committed it. With a 1 s
        // heartbeat its connection dies meanwhile: if A had acknowledged early, B would never see it.
        let first = try source(heartbeat: 1)
        let second = try source()
        let firstTask = Task {
            try await first.run { message in
                guard let n = number(message) else { return }
                handovers.record("A", n)
                if n == 0 { _ = release.wait(timeout: .now() + 30) }
            }
        }
        defer { firstTask.cancel() }
        #expect(await Self.waitUntilAsync { first.isConnected })

        let publisher = try AMQPConnection(
            endpoint: try AMQPEndpoint(url: try CentralCluster.amqpURLs(user: "xyz-bridge", password: try CentralCluster.airportPassword("XYZ"))[2]))
        defer { publisher.close() }
        try publisher.enableConfirms()
        func publish(_ numbers: Range<Int>) throws {
            for n in numbers {
                try publisher.publish(exchange: "amq.topic", routingKey: "flightedge.XYZ.events.delay", body: Array("\(marker) \(n)".utf8))
            }
            try publisher.waitForConfirms(timeout: .seconds(20))
        }
        try publish(0..<1)
        #expect(await Self.waitUntilAsync(seconds: 10) { handovers.numbers("A") == [0] })

        let secondTask = Task {
            try await second.run { message in
                guard let n = number(message) else { return }
                handovers.record("B", n)
                Thread.sleep(forTimeInterval: 0.001)
            }
        }
        defer { secondTask.cancel() }
        #expect(await Self.waitUntilAsync(seconds: 15) { handovers.numbers("B").contains(0) }, "message 0 did not come back while A held it")
        #expect(handovers.numbers("A") == [0])
        release.signal()
        #expect(await Self.waitUntilAsync { first.isConnected && second.isConnected })

        // Both compete for the rest; each message goes to one of them, once.
        let count = 2_000
        try publish(1..<(count + 1))
        #expect(await Self.waitUntilAsync(seconds: 30) { Set(handovers.all) == Set(0...count) })
        let a = handovers.numbers("A").filter { $0 > 0 }
        let b = handovers.numbers("B").filter { $0 > 0 }
        #expect(a.count + b.count == count)
        #expect(Set(a).isDisjoint(with: b))
        #expect(a.count > 0 && b.count > 0, "A got \(a.count), B \(b.count)")
        // Cancelled, each source stops consuming and leaves the queue to others.
        firstTask.cancel()
        secondTask.cancel()
        _ = await firstTask.result
        _ = await secondTask.result
        #expect(!first.isConnected && !second.isConnected)
        print("two relay sources: A handled \(a.count), B \(b.count) of \(count); the held message went to B while A's handler ran")
    }

    private static func waitUntilAsync(seconds: Double = 15, _ condition: () -> Bool) async -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return condition()
    }
}
