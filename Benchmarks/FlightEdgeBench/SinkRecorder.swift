import Foundation
import Synchronization

/// What a benchmark sink accepted: how many messages, when the first and the last came, and (when
/// asked) the monotonic time each delivery id was accepted, for the latency figures.
final class SinkRecorder: Sendable {
    private struct State {
        var accepted = 0
        var first: Double?
        var last: Double?
        var byDeliveryID: [String: Double] = [:]
    }

    private let state = Mutex(State())
    /// Keep each message's delivery id and time (the latency run); off for throughput runs.
    let keepIDs: Bool

    init(keepIDs: Bool = false) {
        self.keepIDs = keepIDs
    }

    /// One message accepted now.
    func accept(deliveryID: String?) {
        let time = now()
        state.withLock { state in
            state.accepted += 1
            if state.first == nil { state.first = time }
            state.last = time
            if keepIDs, let deliveryID { state.byDeliveryID[deliveryID] = time }
        }
    }

    var accepted: Int { state.withLock { $0.accepted } }
    var first: Double? { state.withLock { $0.first } }
    var last: Double? { state.withLock { $0.last } }
    var acceptances: [String: Double] { state.withLock { $0.byDeliveryID } }

    /// Forgets everything (between runs on one sink).
    func reset() {
        state.withLock { $0 = State() }
    }

    /// Waits until `count` messages were accepted; returns false after `timeout` seconds.
    func wait(for count: Int, timeout: Double) -> Bool {
        let deadline = now() + timeout
        while accepted < count {
            if now() > deadline { return false }
            usleep(5_000)
        }
        return true
    }
}

/// The value of `"key":"…"` in a JSON or text body, without parsing it all (the sinks must be
/// cheap: they share the two cores with the relay and PostgreSQL).
func quotedValue(after key: String, in bytes: some Collection<UInt8>) -> String? {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let range = text.range(of: "\"\(key)\":\"") else { return nil }
    let rest = text[range.upperBound...]
    guard let end = rest.firstIndex(of: "\"") else { return nil }
    return String(rest[..<end])
}
