import Foundation
import MQTT
import Postgres
import Testing

/// The real PostgreSQL and mosquitto that `scripts/test` starts (`scripts/services start`).
/// A missing variable fails the test with a message that says how to start them: nothing is
/// skipped.
enum TestServices {
    static func environment(_ name: String) throws -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            Issue.record("\(name) is not set: run the tests with scripts/test, which starts PostgreSQL and mosquitto")
            throw MissingService(name: name)
        }
        return value
    }

    struct MissingService: Error, CustomStringConvertible {
        var name: String
        var description: String { "test service not configured: \(name)" }
    }

    static var adminURL: String { get throws { try environment("FLIGHTEDGE_TEST_PG_ADMIN_URL") } }
    static var mqttHost: String { get throws { try environment("FLIGHTEDGE_TEST_MQTT_HOST") } }
    static var mqttPort: Int { get throws { Int(try environment("FLIGHTEDGE_TEST_MQTT_PORT"))! } }

    /// The dev broker's password of `user` (flightedge, board or relay).
    static func mqttPassword(_ user: String) throws -> String {
        let folder = try environment("FLIGHTEDGE_TEST_MQTT_PASSWORD_DIR")
        let text = try String(contentsOfFile: "\(folder)/\(user).password", encoding: .utf8)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Creates an empty database owned by the unprivileged `flightedge` role, runs `body` with
    /// its connection string, and drops it afterwards.
    static func withTemporaryDatabase<Result>(
        _ body: (String) async throws -> Result
    ) async throws -> Result {
        let admin = try PostgresConnection(conninfo: try adminURL)
        let name = "fe_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try admin.execute("CREATE DATABASE \(name) OWNER flightedge")
        defer {
            _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
        let port = try environment("FLIGHTEDGE_TEST_PG_PORT")
        return try await body("postgresql://flightedge@127.0.0.1:\(port)/\(name)")
    }
}

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
