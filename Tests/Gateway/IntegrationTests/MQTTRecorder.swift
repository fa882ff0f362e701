import Foundation
import MQTT
import Postgres
import Testing

/// Collects what an MQTT client's network thread reports, for tests to wait on.
final class MQTTRecorder: Sendable {
    private let continuation: AsyncStream<MQTTEvent>.Continuation
    let events: AsyncStream<MQTTEvent>

    init() {
        (events, continuation) = AsyncStream.makeStream(of: MQTTEvent.self)
    }

    var sink: @Sendable (MQTTEvent) -> Void {
        { [continuation] event in continuation.yield(event) }
    }

    func finish() { continuation.finish() }
}

/// Waits for the first element that `match` turns into a value, failing after `seconds`.
func firstMatch<Value: Sendable>(
    in events: AsyncStream<MQTTEvent>, within seconds: Double = 10,
    _ match: @escaping @Sendable (MQTTEvent) -> Value?
) async throws -> Value {
    try await withThrowingTaskGroup(of: Value?.self) { group in
        group.addTask {
            for await event in events {
                if let value = match(event) { return value }
            }
            return nil
        }
        group.addTask {
            try await Task.sleep(for: .seconds(seconds))
            return nil
        }
        let first = try await group.next()!
        group.cancelAll()
        guard let first else {
            Issue.record("nothing matched within \(seconds) s")
            throw TimedOut()
        }
        return first
    }
}

struct TimedOut: Error {}

enum PostgresConnectionFactory {
    static func connect(_ url: String) throws -> PostgresConnection {
        try PostgresConnection(conninfo: url)
    }
}
