import FlightEdgeTestSupport
import Foundation
import MQTT
import Postgres
import Testing

@Suite("flightedge run: readiness, liveness and a clean stop")
struct DaemonLifecycleTests {
    @Test func readyOnlineThenSigtermSaysOfflineAndExitsZero() async throws {
        try await withDaemon(start: false) { daemon in
            let watcher = try MQTTWatcher()
            try watcher.subscribe(daemon.topic("status"))
            try daemon.start()
            #expect(daemon.notifications.contains { $0.contains("READY=1") })

            let statusTopic = daemon.topic("status")
            try await watcher.wait(for: 10, "online status") { messages in
                messages.contains { $0.topic == statusTopic && $0.text.contains(#""state":"online""#) }
            }
            let online = try #require(watcher.messages(on: statusTopic).last)
            #expect(SchemaValidator.violations(named: "status", online.payload).isEmpty)

            #expect(daemon.stop() == 0)
            #expect(daemon.notifications.contains { $0.contains("STOPPING=1") })
            try await watcher.wait(for: 10, "offline status") { messages in
                messages.contains { $0.topic == statusTopic && $0.text.contains(#""state":"offline""#) }
            }
            // Retained: a board that connects later sees offline at once.
            let late = try MQTTWatcher()
            try late.subscribe(statusTopic)
            try await late.wait(for: 5, "retained offline") { messages in
                messages.contains { $0.topic == statusTopic && $0.retain && $0.text.contains("offline") }
            }
        }
    }

    @Test func aStopWhilePostgreSQLIsOutOfReachAtStartEndsTheWaitAtOnce() throws {
        // Nothing listens on port 1: the daemon waits for PostgreSQL, retrying with backoff.
        let daemon = try DaemonProcess(databaseURL: "postgresql://flightedge@127.0.0.1:1/flightedge")
        defer { daemon.close() }
        try daemon.launch()
        let waiting = Date().addingTimeInterval(10)
        while !daemon.log.contains("PostgreSQL unreachable") && Date() < waiting { usleep(20_000) }
        #expect(daemon.log.contains("PostgreSQL unreachable"), "\(daemon.log)")
        let stopped = Date()
        let status = daemon.stop(timeout: 30)
        let seconds = Date().timeIntervalSince(stopped)
        // It used to sit out the 20 s shutdown limit and exit 2 with a CancellationError.
        #expect(status == 0, "\(daemon.log.suffix(1500))")
        #expect(seconds < 5, "stopped after \(seconds) s")
        #expect(daemon.log.contains("stopped while waiting for PostgreSQL at start"))
        #expect(!daemon.log.contains("CancellationError"))
        #expect(!daemon.notifications.contains { $0.contains("READY=1") })
    }

    @Test func migratesTheSchemaBeforeItIsReady() async throws {
        try await withDaemon { daemon in
            let connection = try PostgresConnectionFactory.connect(daemon.databaseURL)
            #expect(try connection.query("SELECT count(*) FROM flightedge.schema_migrations").rows == [["4"]])
        }
    }
}

extension SchemaValidator {
    static func violations(named name: String, _ payload: [UInt8]) -> [String] {
        do {
            return try SchemaValidator(named: name).violations(of: payload)
        } catch {
            return ["schema \(name) unreadable: \(error)"]
        }
    }
}
