import Foundation
import Postgres

/// The real PostgreSQL and mosquitto that `scripts/test` and `scripts/bench` start
/// (`scripts/services start`), found through the variables `scripts/services` writes to
/// `.scratch/env`. A missing variable is an error that says how to start them: nothing is
/// skipped.
public enum TestServices {
    /// The value of `name`, or an error when it is not set.
    public static func environment(_ name: String) throws(TestSupportError) -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw TestSupportError(
                .serviceNotConfigured,
                "\(name) is not set: run scripts/test or scripts/bench, which start PostgreSQL and mosquitto (scripts/services)")
        }
        return value
    }

    /// A connection string with rights to create databases.
    public static var adminURL: String { get throws(TestSupportError) { try environment("FLIGHTEDGE_TEST_PG_ADMIN_URL") } }
    public static var postgresPort: Int { get throws(TestSupportError) { try number("FLIGHTEDGE_TEST_PG_PORT") } }
    public static var mqttHost: String { get throws(TestSupportError) { try environment("FLIGHTEDGE_TEST_MQTT_HOST") } }
    public static var mqttPort: Int { get throws(TestSupportError) { try number("FLIGHTEDGE_TEST_MQTT_PORT") } }
    /// The folder with the dev broker's password files (`flightedge.password`, …).
    public static var mqttPasswordFolder: String {
        get throws(TestSupportError) { try environment("FLIGHTEDGE_TEST_MQTT_PASSWORD_DIR") }
    }
    /// The scratch folder of the services (`.scratch`), where daemons and brokers keep their files.
    public static var scratch: URL { get throws(TestSupportError) { URL(fileURLWithPath: try environment("FLIGHTEDGE_TEST_SCRATCH")) } }

    /// The dev broker's password of `user` (flightedge, board or relay).
    public static func mqttPassword(_ user: String) throws -> String {
        let text = try String(contentsOfFile: "\(try mqttPasswordFolder)/\(user).password", encoding: .utf8)
        return text.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Creates an empty database owned by the unprivileged `flightedge` role, runs `body` with
    /// its connection string, and drops it afterwards (also when `body` throws).
    public static func withTemporaryDatabase<Result>(
        _ body: (String) async throws -> Result
    ) async throws -> Result {
        let admin = try PostgresConnection(conninfo: try adminURL)
        let name = "fe_test_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(16)
        try admin.execute("CREATE DATABASE \(name) OWNER flightedge")
        defer {
            _ = try? admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        }
        return try await body("postgresql://flightedge@127.0.0.1:\(try postgresPort)/\(name)")
    }

    private static func number(_ name: String) throws(TestSupportError) -> Int {
        let text = try environment(name)
        guard let value = Int(text) else { throw TestSupportError(.serviceNotConfigured, "\(name) is not a number: \(text)") }
        return value
    }
}
