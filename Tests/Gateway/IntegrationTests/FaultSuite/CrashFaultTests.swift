import FlightEdgeTestSupport
import FlightModel
import Foundation
import MQTT
import Postgres
import Testing

/// Fault suite, crash: `kill -9` at random moments while a simulated day flows in through a
/// spool folder. Nothing is lost and nothing is counted twice.
@Suite("Fault suite: kill -9 while working")
struct CrashFaultTests {
    static let flights = 500
    static let files = 100
    static let kills = 10

    /// The day as spool files, in name order.
    static func dayFiles() throws -> [(name: String, text: String)] {
        let run = try CommandRun(["simulate", "--flights", "\(flights)", "--seed", "9", "--date", Fixture.day, "--airport", "ZRH"])
        let lines = run.output.split(separator: "\n").map(String.init)
        #expect(lines.count > 9_000)
        let perFile = (lines.count + files - 1) / files
        return stride(from: 0, to: lines.count, by: perFile).enumerated().map { index, start in
            (String(format: "day-%03d.jsonl", index), lines[start..<min(start + perFile, lines.count)].joined(separator: "\n") + "\n")
        }
    }

    /// Writes a file aside and renames it into the spool folder, as an exporter should.
    static func drop(_ file: (name: String, text: String), into daemon: DaemonProcess) throws {
        let staging = daemon.folder.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        let path = staging.appendingPathComponent(file.name)
        try file.text.write(to: path, atomically: false, encoding: .utf8)
        try FileManager.default.moveItem(at: path, to: daemon.spool.appendingPathComponent(file.name))
    }

    static func history(_ connection: PostgresConnection) throws -> [[String?]] {
        try connection.query(
            "SELECT flight_id, seq, field, new_value::text FROM flightedge.flight_changes ORDER BY flight_id, seq, field"
        ).rows
    }

    /// Waits until every file is moved out of the spool folder and the outbox is drained.
    static func settle(_ daemon: DaemonProcess, _ connection: PostgresConnection) async throws {
        try await eventually("every file done and every event acknowledged", within: 120) {
            let waiting = try FileManager.default.contentsOfDirectory(atPath: daemon.spool.path).filter { $0.hasSuffix(".jsonl") }
            let unpublished = try connection.query("SELECT count(*) FROM flightedge.outbox WHERE published_at IS NULL").rows
            return waiting.isEmpty && unpublished == [["0"]]
        }
    }

    @Test func killedTenTimesTheHistoryEqualsACleanRunAndEveryEventReachesTheRelay() async throws {
        let files = try Self.dayFiles()

        // The reference: the same files, no faults.
        let reference = try await withDaemon { daemon in
            for file in files { try Self.drop(file, into: daemon) }
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await Self.settle(daemon, connection)
            #expect(daemon.stop() == 0)
            return try Self.history(connection)
        }

        try await withDaemon(start: false) { daemon in
            let relay = try MQTTWatcher(user: "relay", clientID: "relay-\(UUID().uuidString.prefix(6))", cleanSession: false)
            try relay.subscribe(daemon.topic("events/#"), qos: 1)
            try daemon.start()
            var random = SystemRandomNumberGenerator()
            var next = 0
            var killPoints: [Int] = []
            var killsWhileWorking = 0
            for _ in 0..<Self.kills {
                for _ in 0..<(Self.files / (Self.kills + 1)) where next < files.count {
                    try Self.drop(files[next], into: daemon)
                    next += 1
                }
                let delay = Int.random(in: 10...120, using: &random)
                try await Task.sleep(for: .milliseconds(delay))
                killPoints.append(delay)
                let pending = try FileManager.default.contentsOfDirectory(atPath: daemon.spool.path).filter { $0.hasSuffix(".jsonl") }
                if !pending.isEmpty { killsWhileWorking += 1 }
                daemon.crash()
                try daemon.start()
            }
            while next < files.count {
                try Self.drop(files[next], into: daemon)
                next += 1
            }
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await Self.settle(daemon, connection)

            // The same history as the clean run, change for change.
            let history = try Self.history(connection)
            #expect(killsWhileWorking >= Self.kills / 2, "the kills should hit a daemon at work")
            #expect(history.count == reference.count)
            let extra = Set(history.map { $0.map { $0 ?? "null" }.joined(separator: " ") })
                .subtracting(reference.map { $0.map { $0 ?? "null" }.joined(separator: " ") })
            let missing = Set(reference.map { $0.map { $0 ?? "null" }.joined(separator: " ") })
                .subtracting(history.map { $0.map { $0 ?? "null" }.joined(separator: " ") })
            #expect(extra.isEmpty && missing.isEmpty, "after the crashes but not in the clean run: \(extra.sorted().prefix(10)); missing: \(missing.sorted().prefix(10))")

            // Every file processed once: each is in done/ exactly once, none rejected.
            let done = try FileManager.default.contentsOfDirectory(atPath: daemon.spool.appendingPathComponent("done").path).sorted()
            #expect(done == files.map(\.name).sorted())
            let rejected = try FileManager.default.contentsOfDirectory(atPath: daemon.spool.appendingPathComponent("rejected").path)
            #expect(rejected.isEmpty)

            // Every event committed reaches the persistent QoS 1 subscriber at least once.
            let eventIDs = Set(try connection.query("SELECT event_id::text FROM flightedge.outbox").rows.compactMap { $0[0] })
            try await relay.wait(for: 60, "every event at the relay") { messages in
                MQTTWatcher.eventIDs(in: messages).isSuperset(of: eventIDs)
            }
            print(
                "fault suite, crash: \(Self.kills) kill -9 (\(killsWhileWorking) with files still in the spool folder) at \(killPoints.map { "\($0) ms" }.joined(separator: ", ")) after restarts; "
                    + "\(files.count) files, \(history.count) changes identical to a clean run, \(eventIDs.count) events all at the relay "
                    + "(\(relay.messages.count) deliveries), 0 lost")
            #expect(daemon.stop() == 0)
        }
    }
}

/// One writer per database: a second daemon configured on the same database waits, says so,
/// and takes over when the first stops.
@Suite("Fault suite: two daemons on one database")
struct WriterLockFaultTests {
    @Test func theSecondDaemonWaitsForTheWriterLockAndSaysSo() async throws {
        try await withDaemon { first in
            let second = try DaemonProcess(databaseURL: first.databaseURL)
            defer { second.close() }
            try second.launch()
            try await eventually("the second daemon says it waits") {
                second.log.contains("another FlightEdge process holds this database's writer lock")
            }
            #expect(!second.notifications(for: 2).contains { $0.contains("READY=1") }, "it must not start writing")
            #expect(first.stop() == 0)
            try await eventually("the second daemon takes over", within: 30) {
                second.notifications(for: 0.5).contains { $0.contains("READY=1") }
            }
            #expect(second.log.contains("writer lock taken; continuing"))
            #expect(second.stop() == 0)
        }
    }
}
