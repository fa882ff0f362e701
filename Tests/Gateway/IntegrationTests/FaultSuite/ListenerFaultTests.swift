import FlightEdgeTestSupport
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A tcp-listen feed whose port is taken by another program: at start the daemon never says
/// ready, stops in order and exits 2 naming the feed; at a reload it says so in `STATUS=` and
/// keeps the running feeds.
@Suite("Fault suite: a listener that cannot bind")
struct ListenerFaultTests {
    /// A socket listening on 127.0.0.1:`port`, as another program holding the port would.
    private static func occupy(_ port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(descriptor, 8) == 0 else {
            Glibc.close(descriptor)
            throw POSIXError(.EADDRINUSE)
        }
        return descriptor
    }

    @Test func aTakenPortAtStartStopsTheDaemonInOrderWithStatusTwo() async throws {
        try await withDaemon(start: false) { daemon in
            let holder = try Self.occupy(daemon.listenPort)
            defer { Glibc.close(holder) }
            try daemon.launch()
            let deadline = Date().addingTimeInterval(30)
            while daemon.isRunning && Date() < deadline { usleep(20_000) }
            #expect(!daemon.isRunning, "the daemon went on without its listener")
            #expect(daemon.stop() == 2)
            let notifications = daemon.notifications
            #expect(!notifications.contains { $0.contains("READY=1") })
            #expect(notifications.contains { $0.contains("STOPPING=1") })
            let log = daemon.log
            #expect(log.contains("feed aodb cannot start"), "\(log.suffix(2000))")
            #expect(log.contains("stopped"))
        }
    }

    @Test func aTakenPortAtReloadIsReportedAndTheRunningFeedsStay() async throws {
        try await withDaemon { daemon in
            let taken = try Loopback.freePort()
            let holder = try Self.occupy(taken)
            defer { Glibc.close(holder) }
            try daemon.rewriteConfig(
                feeds: """

                    [[feeds]]
                    name = "second"
                    format = "jsonl"
                    transport = "tcp-listen"
                    address = "127.0.0.1:\(taken)"
                    framing = "lf"
                    allow = ["127.0.0.0/8"]

                    """)
            daemon.hangUp()
            var received: [String] = []
            let deadline = Date().addingTimeInterval(20)
            while Date() < deadline && !received.contains(where: { $0.contains("reload incomplete") }) {
                received += daemon.notifications(for: 0.2)
            }
            #expect(
                received.contains { $0.contains("reload incomplete: feed second cannot listen on 127.0.0.1:\(taken)") },
                "\(received)")
            #expect(daemon.isRunning)
            // The feed that was running still takes frames.
            try daemon.send(lines: [
                #"{"airline":"LX","number":"4711","date":"\#(Fixture.day)","direction":"departure","gate":"A1"}"#
            ])
            var frames: Double?
            let until = Date().addingTimeInterval(10)
            while Date() < until {
                frames = try daemon.metric(#"flightedge_feed_frames_total{feed="aodb"}"#)
                if frames == 1 { break }
                usleep(50_000)
            }
            #expect(frames == 1)
        }
    }
}
