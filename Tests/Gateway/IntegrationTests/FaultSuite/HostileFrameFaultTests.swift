import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 18, item 1: AIDX messages built to be slow (90,000 distinct attributes on one element,
/// just under the 1 MB frame limit) cost each decoder run 8 s of CPU while the whole pipeline
/// waited; the watchdog went quiet and `/healthz` still said 200. Now the decoder is linear,
/// each feed decodes its own frames, and the watchdog and `/healthz` follow the pipeline.
@Suite("Fault suite: hostile frames do not stall the pipeline")
struct HostileFrameFaultTests {
    /// One AIDX message with `count` distinct attributes on its `FlightLeg`, in STX/ETX.
    static func slowFrame(attributes count: Int) -> [UInt8] {
        let attributes = (0..<count).map { "a\($0)=\"v\"" }.joined(separator: " ")
        let xml = #"<IATA_AIDX_FlightLegNotifRQ xmlns="http://www.iata.org/IATA/2007/00"><FlightLeg "#
            + attributes + "/></IATA_AIDX_FlightLegNotifRQ>"
        return [0x02] + Array(xml.utf8) + [0x03]
    }

    @Test func sixSlowAIDXFramesDelayNeitherTheOtherFeedNorTheWatchdog() async throws {
        let port = try Loopback.freePort()
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "aidx"
                format = "aidx"
                transport = "tcp-listen"
                address = "127.0.0.1:\(port)"
                framing = "stx-etx"
                """) { daemon in
            let frame = Self.slowFrame(attributes: 90_000)
            #expect(frame.count < 1_048_576)
            _ = daemon.notifications(for: 0.1)
            // The six frames go on one connection, written from another task: the daemon
            // reads them while the valid update arrives on the main feed.
            let sender = try Loopback.connect(port: port)
            let writing = Task.detached { try Loopback.writeAll(sender, Array([[UInt8]](repeating: frame, count: 6).joined())) }
            try await Task.sleep(for: .milliseconds(300))
            let started = ContinuousClock.now
            try daemon.send(lines: [#"{"airline":"LX","number":"18","date":"\#(Fixture.day)","direction":"departure","gate":"A18"}"#])
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("the valid update committed", within: 30) {
                try connection.query("SELECT count(*) FROM flightedge.flights").rows == [["1"]]
            }
            let delay = ContinuousClock.now - started
            #expect(delay < .seconds(6), "the valid update waited \(delay) (one such frame alone took 8 s before)")
            try await writing.value
            Glibc.close(sender)
            try await eventually("six frames rejected", within: 30) {
                try connection.query("SELECT count(*) FROM flightedge.rejected_frames WHERE feed = 'aidx'").rows == [["6"]]
            }
            let beats = daemon.notifications(for: 4.5)
            #expect(beats.contains { $0.contains("WATCHDOG=1") }, "the watchdog goes on: \(beats)")
            #expect(try daemon.http("/healthz").status == 200)
            print("fault suite, hostile frames: 6 AIDX frames of 90,000 attributes; a valid update on another feed committed \(delay) after it was sent, while the slow frames were read")
            #expect(daemon.stop() == 0)
        }
    }
}
