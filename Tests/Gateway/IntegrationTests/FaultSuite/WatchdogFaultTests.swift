import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// systemd's watchdog sees the truth: `WATCHDOG=1` comes from the pipeline's own loop, so a
/// pipeline stuck in a commit stops it (and systemd would restart the daemon), while the status
/// line goes on.
@Suite("Fault suite: the watchdog follows the pipeline")
struct WatchdogFaultTests {
    @Test func aStuckCommitStopsTheWatchdogAndItResumesAfterwards() async throws {
        try await withDaemon { daemon in
            let healthy = daemon.notifications(for: 4.5)
            #expect(healthy.contains { $0.contains("WATCHDOG=1") }, "an idle pipeline is alive: \(healthy)")

            // Another session holds a lock the commit needs: the pipeline blocks inside it.
            let blocker = try PostgresConnection(conninfo: daemon.databaseURL)
            try blocker.execute("BEGIN")
            try blocker.execute("LOCK TABLE flightedge.flight_changes IN ACCESS EXCLUSIVE MODE")
            try daemon.send(lines: [#"{"airline":"LX","number":"1","date":"\#(Fixture.day)","direction":"departure","gate":"A1"}"#])
            _ = daemon.notifications(for: 2.5)  // a report that may have seen the last beat
            let stuck = daemon.notifications(for: 6.5)
            #expect(!stuck.contains { $0.contains("WATCHDOG=1") }, "a stuck pipeline must not feed the watchdog: \(stuck)")
            #expect(stuck.contains { $0.contains("STATUS=") }, "the status line goes on")
            #expect(try daemon.http("/healthz").status != 0, "/healthz answers while a commit is stuck")
            // One verdict: the health endpoint says what the watchdog says (issue 18).
            let health = try daemon.http("/healthz")
            #expect(health.status == 503, "a stalled pipeline is unhealthy: \(health.body)")
            #expect(health.body.contains(#""pipeline":"stalled""#))

            try blocker.execute("ROLLBACK")
            let recovered = daemon.notifications(for: 4.5)
            #expect(recovered.contains { $0.contains("WATCHDOG=1") }, "progress again: \(recovered)")
            #expect(try daemon.http("/healthz").status == 200, "healthy again")
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            #expect(try connection.query("SELECT count(*) FROM flightedge.flights").rows == [["1"]])
            print("fault suite, watchdog: \(stuck.count) notifications in 6.5 s of a stuck commit, none WATCHDOG=1; resumed after the lock went")
            #expect(daemon.stop() == 0)
        }
    }
}

/// A supervisor that stops reading its notify socket (its queue holds ten datagrams here) must
/// not stall the daemon: status lines wait on a queue of their own, so health answers and
/// SIGTERM ends the daemon promptly.
@Suite("Fault suite: a notify socket nobody reads")
struct UnreadNotifySocketFaultTests {
    @Test func theDaemonStaysResponsiveAndStopsPromptly() async throws {
        let unread = try NotifySocket()
        defer { unread.close() }
        try await withDaemon(start: false) { daemon in
            daemon.notifySocketPath = unread.path
            try daemon.launch()
            try await eventually("healthy") { (try? daemon.http("/healthz").status) == 200 }
            // STATUS= and WATCHDOG=1 every 2 s: the socket's queue is full after ~10 s.
            try await Task.sleep(for: .seconds(14))
            #expect(try daemon.http("/healthz").status == 200, "health answers with the notify socket full")
            try daemon.send(lines: [#"{"airline":"LX","number":"9","date":"\#(Fixture.day)","direction":"departure","gate":"B2"}"#])
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("the update committed") {
                try connection.query("SELECT count(*) FROM flightedge.flight_changes").rows == [["1"]]
            }
            let started = Date()
            #expect(daemon.stop(timeout: 10) == 0, "SIGTERM ends the daemon within 10 s")
            print("fault suite, unread notify socket: healthy, committing, and stopped \(Int(Date().timeIntervalSince(started) * 1000)) ms after SIGTERM")
        }
    }
}
