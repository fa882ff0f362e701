import FlightEdgeTestSupport
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
        BenchEnvironment(
            adminURL: try TestServices.adminURL, postgresPort: try TestServices.postgresPort, mqttHost: try TestServices.mqttHost,
            mqttPort: try TestServices.mqttPort, mqttPasswordFolder: try TestServices.mqttPasswordFolder,
            scratch: try TestServices.scratch, repository: Repository.root)
    }

    func mqttPassword(_ user: String) throws -> String { try TestServices.mqttPassword(user) }

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
