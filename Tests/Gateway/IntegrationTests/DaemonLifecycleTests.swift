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
            #expect(SchemaValidator.violations(named: "status", online.payload).isEmpty, "\(online.text)")
            #expect(online.text.contains(#""schema":"flightedge.status/1""#))

            #expect(daemon.stop() == 0)
            #expect(daemon.notifications.contains { $0.contains("STOPPING=1") })
            try await watcher.wait(for: 10, "offline status") { messages in
                messages.contains { $0.topic == statusTopic && $0.text.contains(#""state":"offline""#) }
            }
            // The clean stop's offline names its schema too (the will is the same payload).
            let offline = try #require(watcher.messages(on: statusTopic).last { $0.text.contains(#""state":"offline""#) })
            #expect(SchemaValidator.violations(named: "status", offline.payload).isEmpty, "\(offline.text)")
            #expect(offline.text.contains(#""schema":"flightedge.status/1""#))
            // Retained: a board that connects later sees offline at once.
            let late = try MQTTWatcher()
            try late.subscribe(statusTopic)
            try await late.wait(for: 5, "retained offline") { messages in
                messages.contains { $0.topic == statusTopic && $0.retain && $0.text.contains("offline") }
            }
        }
    }

    @Test func theLastWillTheBrokerSaysForACrashedDaemonIsAStatusWithItsSchema() async throws {
        try await withDaemon(start: false) { daemon in
            // A killed daemon's socket closes at once and the broker says the will; keepalive 5
            // bounds it (7.5 s) should the close not reach the broker.
            var config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
            config = config.replacingOccurrences(of: "state_qos = 1\n", with: "state_qos = 1\nkeepalive = 5\n")
            try config.write(toFile: daemon.configPath, atomically: true, encoding: .utf8)
            let statusTopic = daemon.topic("status")
            let watcher = try MQTTWatcher()
            try watcher.subscribe(statusTopic)
            try daemon.start()
            try await watcher.wait(for: 10, "online status") { messages in
                messages.contains { $0.topic == statusTopic && $0.text.contains(#""state":"online""#) }
            }
            daemon.crash()
            try await watcher.wait(for: 20, "the last will") { messages in
                messages.contains { $0.topic == statusTopic && $0.text.contains(#""state":"offline""#) }
            }
            let will = try #require(watcher.messages(on: statusTopic).last { $0.text.contains(#""state":"offline""#) })
            #expect(SchemaValidator.violations(named: "status", will.payload).isEmpty, "\(will.text)")
            #expect(will.text.contains(#""schema":"flightedge.status/1""#))
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
