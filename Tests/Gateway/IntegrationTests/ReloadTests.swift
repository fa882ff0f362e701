import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `systemctl reload` (SIGHUP) on a real daemon: the file is checked first, a broken one is
/// refused and the running feeds stay; a good one adds, removes and restarts feeds while an
/// unchanged feed's open connection goes on delivering. systemd sees `RELOADING=1` with
/// `MONOTONIC_USEC=`, then `READY=1`.
@Suite("Reload (SIGHUP)")
struct ReloadTests {
    private static func line(_ number: Int, gate: String) -> String {
        #"{"airline":"LX","number":"\#(number)","date":"\#(Fixture.day)","direction":"departure","gate":"\#(gate)"}"#
    }

    private static func spoolFeed(_ name: String, path: URL) -> String {
        """

        [[feeds]]
        name = "\(name)"
        format = "jsonl"
        transport = "spool-dir"
        path = "\(path.path)"
        framing = "lf"

        """
    }

    /// Waits for `RELOADING=1` and then `READY=1`; returns what came in between.
    private static func reloadNotifications(_ daemon: DaemonProcess) throws -> [String] {
        var received: [String] = []
        let deadline = Date().addingTimeInterval(20)
        while Date() < deadline {
            received += daemon.notifications(for: 0.2)
            if let reloading = received.firstIndex(where: { $0.contains("RELOADING=1") }),
                received[reloading...].contains(where: { $0.contains("READY=1") })
            {
                return received
            }
        }
        Issue.record("no RELOADING=1 then READY=1 within 20 s: \(received)\n\(daemon.log)")
        throw TimedOut()
    }

    @Test func feedsAreAddedRemovedAndChangedWhileAnUnchangedConnectionKeepsFlowing() async throws {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("fe-reload-\(UUID().uuidString.prefix(8))")
        let legacy = scratch.appendingPathComponent("legacy")
        let moved = scratch.appendingPathComponent("moved")
        for folder in [legacy, moved] { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) }
        defer { try? FileManager.default.removeItem(at: scratch) }
        try await withDaemon(extraFeeds: Self.spoolFeed("legacy", path: legacy)) { daemon in
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            func gates() throws -> [[String?]] {
                try connection.query(
                    "SELECT feed, new_value #>> '{}' FROM flightedge.flight_changes WHERE field = 'gate' ORDER BY received_at, seq").rows
            }

            // A sender that stays connected across the reload.
            let sender = try Loopback.connect(port: daemon.listenPort)
            defer { close(sender) }
            try TestSender.write(sender, Self.line(1, gate: "A1") + "\n")
            try await eventually("the first gate committed") { try gates() == [["aodb", "A1"]] }

            // aodb unchanged; drop moves to another folder (changed); legacy goes; gates comes;
            // [events] changes, which only a restart applies.
            let gatesPort = try Loopback.freePort()
            try daemon.rewriteConfig(
                base: daemon.baseConfig.replacingOccurrences(of: "delay_threshold_minutes = 15", with: "delay_threshold_minutes = 20"),
                feeds: Self.spoolFeed("drop", path: moved) + """

                    [[feeds]]
                    name = "gates"
                    format = "jsonl"
                    transport = "tcp-listen"
                    address = "127.0.0.1:\(gatesPort)"
                    precedence = 5
                    """)
            daemon.hangUp()
            let reload = try Self.reloadNotifications(daemon)
            let reloading = try #require(reload.first { $0.contains("RELOADING=1") })
            let monotonic = reloading.split(separator: "\n").first { $0.hasPrefix("MONOTONIC_USEC=") }
            #expect(monotonic.flatMap { UInt64($0.dropFirst("MONOTONIC_USEC=".count)) } ?? 0 > 0, "\(reloading)")
            #expect(reload.last { $0.contains("READY=1") }?.contains("STATUS=feeds 3/3 up") == true, "\(reload)")
            #expect(daemon.log.contains("added 1 (gates), removed 1 (legacy), changed 1 (drop), unchanged 1"), "\(daemon.log)")
            #expect(daemon.log.contains("sections=[events]"))

            // The unchanged feed's connection was not touched; the new feed listens; the moved
            // spool folder is read and the old ones are not.
            try TestSender.write(sender, Self.line(1, gate: "A2") + "\n")
            try daemon.send(lines: [Self.line(2, gate: "B1")], port: gatesPort)
            try Self.line(3, gate: "C1").write(to: moved.appendingPathComponent("c.jsonl"), atomically: true, encoding: .utf8)
            try Self.line(4, gate: "D1").write(to: legacy.appendingPathComponent("d.jsonl"), atomically: true, encoding: .utf8)
            try Self.line(5, gate: "E1").write(to: daemon.spool.appendingPathComponent("e.jsonl"), atomically: true, encoding: .utf8)
            try await eventually("the kept connection, the new listener and the moved folder all delivered") {
                Set(try gates().dropFirst().map { $0.compactMap { $0 }.joined(separator: ":") })
                    == ["aodb:A2", "gates:B1", "drop:C1"]
            }
            try await Task.sleep(for: .seconds(2))
            #expect(FileManager.default.fileExists(atPath: legacy.appendingPathComponent("d.jsonl").path), "a removed feed reads nothing")
            #expect(FileManager.default.fileExists(atPath: daemon.spool.appendingPathComponent("e.jsonl").path), "drop left its old folder")
            #expect(try gates().count == 4)
            #expect(try daemon.metric(#"flightedge_feed_frames_total{feed="gates"}"#) == 1)
            #expect(try daemon.metric(#"flightedge_feed_frames_total{feed="legacy"}"#) == nil, "a removed feed leaves /metrics")

            // A broken file is refused: nothing stops, the status line says so until a good reload.
            try daemon.rewriteConfig(feeds: """

                [[feeds]]
                name = "gates"
                format = "xml"
                transport = "tcp-listen"
                address = "127.0.0.1:\(gatesPort)"
                """)
            daemon.hangUp()
            let refused = try Self.reloadNotifications(daemon)
            #expect(refused.last { $0.contains("READY=1") }?.contains("STATUS=reload refused: 1 error(s)") == true, "\(refused)")
            #expect(daemon.log.contains("reload refused: the configuration has errors; the running configuration stays"))
            #expect(daemon.log.contains(#"feeds[1].format (feed "gates"): unknown format "xml""#), "the log names the key and the feed: \(daemon.log)")
            try TestSender.write(sender, Self.line(1, gate: "A3") + "\n")
            try daemon.send(lines: [Self.line(2, gate: "B2")], port: gatesPort)
            try await eventually("both feeds still deliver after a refused reload") { try gates().count == 6 }
            let status = daemon.notifications(for: 2.5).last { $0.contains("STATUS=") } ?? ""
            #expect(status.contains("STATUS=reload refused"), "the refusal stays in STATUS: \(status)")
            print("reload: 1 added, 1 removed, 1 changed, 1 untouched connection kept; a broken file refused with the feeds running on")
            #expect(daemon.stop() == 0)
        }
    }
}
