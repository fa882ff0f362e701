import Foundation
import Postgres
import Testing

/// systemd's watchdog sees the truth: `WATCHDOG=1` comes from the pipeline's own loop, so a
/// pipeline stuck in a commit stops it (and systemd would restart the daemon), while the status
/// line goes on.
@Suite("Fault suite: the watchdog follows the pipeline")
struct WatchdogFaultTests {
    @Test func aStuckCommitStopsTheWatchdogAndItResumesAfterwards() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let daemon = try DaemonProcess(databaseURL: url)
            try daemon.start()
            let healthy = daemon.notifications(for: 4.5)
            #expect(healthy.contains { $0.contains("WATCHDOG=1") }, "an idle pipeline is alive: \(healthy)")

            // Another session holds a lock the commit needs: the pipeline blocks inside it.
            let blocker = try PostgresConnection(conninfo: url)
            try blocker.execute("BEGIN")
            try blocker.execute("LOCK TABLE flightedge.flight_changes IN ACCESS EXCLUSIVE MODE")
            try daemon.send(lines: [#"{"airline":"LX","number":"1","date":"\#(Fixture.day)","direction":"departure","gate":"A1"}"#])
            _ = daemon.notifications(for: 2.5)  // a report that may have seen the last beat
            let stuck = daemon.notifications(for: 6.5)
            #expect(!stuck.contains { $0.contains("WATCHDOG=1") }, "a stuck pipeline must not feed the watchdog: \(stuck)")
            #expect(stuck.contains { $0.contains("STATUS=") }, "the status line goes on")
            #expect(try daemon.http("/healthz").status != 0, "/healthz answers while a commit is stuck")

            try blocker.execute("ROLLBACK")
            let recovered = daemon.notifications(for: 4.5)
            #expect(recovered.contains { $0.contains("WATCHDOG=1") }, "progress again: \(recovered)")
            let connection = try PostgresConnection(conninfo: url)
            #expect(try connection.query("SELECT count(*) FROM flightedge.flights").rows == [["1"]])
            print("fault suite, watchdog: \(stuck.count) notifications in 6.5 s of a stuck commit, none WATCHDOG=1; resumed after the lock went")
            #expect(daemon.stop() == 0)
        }
    }
}
