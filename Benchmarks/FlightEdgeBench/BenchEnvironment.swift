import Foundation
import Postgres

/// Where the services are: the variables `scripts/services` writes to `.scratch/env`.
struct BenchEnvironment: Sendable {
    var adminURL: String
    var postgresPort: Int
    var mqttHost: String
    var mqttPort: Int
    var mqttPasswordFolder: String
    var scratch: URL
    var repository: URL

    static func fromProcess() throws -> BenchEnvironment {
        let environment = ProcessInfo.processInfo.environment
        func value(_ name: String) throws -> String {
            guard let value = environment[name], !value.isEmpty else { throw BenchError("\(name) is not set: run scripts/bench") }
            return value
        }
        let scratch = URL(fileURLWithPath: try value("FLIGHTEDGE_TEST_SCRATCH"))
        return BenchEnvironment(
            adminURL: try value("FLIGHTEDGE_TEST_PG_ADMIN_URL"), postgresPort: Int(try value("FLIGHTEDGE_TEST_PG_PORT")) ?? 0,
            mqttHost: try value("FLIGHTEDGE_TEST_MQTT_HOST"), mqttPort: Int(try value("FLIGHTEDGE_TEST_MQTT_PORT")) ?? 0,
            mqttPasswordFolder: try value("FLIGHTEDGE_TEST_MQTT_PASSWORD_DIR"), scratch: scratch,
            repository: scratch.deletingLastPathComponent())
    }

    func mqttPassword(_ user: String) throws -> String {
        try String(contentsOfFile: "\(mqttPasswordFolder)/\(user).password", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// A fresh, empty database owned by `flightedge`; its connection string.
    func freshDatabase(_ name: String) throws -> String {
        let admin = try PostgresConnection(conninfo: adminURL, applicationName: "flightedge-bench")
        try admin.execute("DROP DATABASE IF EXISTS \(name) WITH (FORCE)")
        try admin.execute("CREATE DATABASE \(name) OWNER flightedge")
        return "postgresql://flightedge@127.0.0.1:\(postgresPort)/\(name)"
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Monotonic seconds, for durations.
func now() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}
