import FlightEdgeTestSupport
import Foundation
import Postgres
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
import Timing
#endif

/// Fault suite, database outage: PostgreSQL stopped for 30 s under load.
@Suite("Fault suite: PostgreSQL down for 30 s under load")
struct DatabaseOutageFaultTests {
    /// Peak resident memory the daemon may reach while PostgreSQL is down: the ingest queue
    /// holds at most 20,000 frames or 64 MiB, whichever comes first, then readers stop.
    static let memoryBoundMegabytes = 250.0

    @Test func theDaemonWaitsPushesBackOnTheSenderAndLosesNothing() async throws {
        let services = Repository.root.appendingPathComponent("scripts/services").path
        try await withDaemon { daemon in
            let pid = try #require(daemon.pid)
            // A big hub's day, 170,000 frames: far more than the ingest queue (20,000 frames) and the
            // sockets' buffers hold.
            let day = try CommandRun(["simulate", "--flights", "8000", "--seed", "5", "--date", Fixture.day]).output
            let lines = day.split(separator: "\n").count
            let sender = try StreamSender(port: daemon.listenPort, bytes: Array(day.utf8))
            sender.start()
            try await Task.sleep(for: .milliseconds(500))

            try CommandRun.script(services, "stop-postgres")
            // Whatever happens below, the other tests need their database back.
            var restarted = false
            defer { if !restarted { try? CommandRun.script(services, "start-postgres") } }
            let stoppedAt = ContinuousClock.now
            // A file dropped meanwhile waits too.
            let spoolLine = #"{"airline":"QQ","number":"4242","date":"\#(Fixture.day)","direction":"departure","gate":"Z9"}"#
            try (spoolLine + "\n").write(to: daemon.spool.appendingPathComponent("during-outage.jsonl"), atomically: true, encoding: .utf8)

            var peak = 0.0
            var stalledSince: ContinuousClock.Instant?
            var longestStall = Duration.zero
            var lastWritten = sender.written
            while ContinuousClock.now - stoppedAt < .seconds(30) {
                try await Task.sleep(for: .milliseconds(250))
                peak = max(peak, ProcessStatistics.residentMegabytes(pid))
                let written = sender.written
                if written == lastWritten && !sender.isFinished {
                    stalledSince = stalledSince ?? .now
                    longestStall = max(longestStall, ContinuousClock.now - stalledSince!)
                } else {
                    stalledSince = nil
                }
                lastWritten = written
            }
            #expect(daemon.isRunning, "the daemon must wait out the outage, not exit")
            #expect(!sender.isFinished, "the sender should be held back while PostgreSQL is down")
            #expect(longestStall >= .seconds(5), "the sender's writes should block (longest stall \(longestStall))")
            #expect(peak < Self.memoryBoundMegabytes, "peak RSS \(peak) MB during the outage")
            let writtenDuringOutage = sender.written
            print("fault suite, database outage: restarting PostgreSQL; peak RSS \(Int(peak)) MB, sender at \(writtenDuringOutage) bytes")

            try CommandRun.script(services, "start-postgres")
            restarted = true
            try await sender.wait(seconds: 120)
            print("fault suite, database outage: the sender is done; waiting for the commits")
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("everything committed and published after the outage", within: 120) {
                let frames = try daemon.metric("flightedge_frames_committed_total") ?? 0
                let unpublished = try connection.query("SELECT count(*) FROM flightedge.outbox WHERE published_at IS NULL").rows
                return Int(frames) == lines + 1 && unpublished == [["0"]]
            }
            #expect(try connection.query("SELECT count(*) FROM flightedge.rejected_frames").rows == [["0"]])
            #expect(try connection.query("SELECT count(*) FROM flightedge.flight_changes WHERE flight_id = $1", [.text("QQ4242-\(Fixture.compact)-D")]).rows == [["1"]])
            #expect(try daemon.metric("flightedge_database_outages_total") == 1)
            let log = daemon.log
            #expect(log.components(separatedBy: "PostgreSQL down; holding the batch").count - 1 == 1, "the outage is logged once")
            #expect(log.components(separatedBy: "PostgreSQL writes resumed").count - 1 == 1, "the recovery is logged once")
            #expect(daemon.pid == pid)
            print(
                "fault suite, database outage: 30 s down under load; \(lines) frames over TCP + 1 file, all committed after; "
                    + "sender held at \(writtenDuringOutage / 1024) KiB of \(day.utf8.count / 1024) KiB (longest stall \(longestStall)); "
                    + "peak RSS \(Int(peak)) MB (bound \(Int(Self.memoryBoundMegabytes)) MB); 0 lost")
            #expect(daemon.stop() == 0)
        }
    }
}

/// Writes a byte stream to a TCP port from a thread of its own, with blocking writes, and
/// counts what the peer has taken.
final class StreamSender: Sendable {
    private let descriptor: Int32
    private let bytes: [UInt8]
    private let progress = Atomic<Int>(0)
    private let done = Atomic<Bool>(false)

    init(port: Int, bytes: [UInt8]) throws {
        descriptor = try Loopback.connect(port: port)
        self.bytes = bytes
    }

    deinit { Glibc.close(descriptor) }

    var written: Int { progress.load(ordering: .relaxed) }
    var isFinished: Bool { done.load(ordering: .relaxed) }

    func start() {
        let thread = Thread { [self] in
            var offset = 0
            while offset < bytes.count {
                let end = min(offset + 16_384, bytes.count)
                let count = bytes[offset..<end].withUnsafeBytes {
                    send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                }
                guard count > 0 else { break }
                offset += count
                progress.store(offset, ordering: .relaxed)
            }
            shutdown(descriptor, Int32(SHUT_WR))
            done.store(true, ordering: .relaxed)
        }
        thread.start()
    }

    func wait(seconds: Double) async throws {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while !isFinished {
            guard ContinuousClock.now < deadline else { throw TimedOut() }
            try await Task.sleep(for: .milliseconds(50))
        }
    }
}
