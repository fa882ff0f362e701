import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Issue 18, item 2: 500 idle connections from one allowed host took all 64 slots of a
/// tcp-listen feed; only 1 of 33 real senders got its update in, and one byte every 299 s kept
/// a slot forever. Now one peer address holds at most `max_connections_per_peer` slots, and a
/// connection that completes no frame within `frame_timeout` is closed.
@Suite("Fault suite: connection slots of a tcp-listen feed")
struct ConnectionSlotsFaultTests {
    /// A connection to 127.0.0.1:`port` from the loopback address `source` (127.0.0.x).
    static func connect(port: Int, from source: String) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #expect(descriptor >= 0)
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, source, &local.sin_addr)
        var remote = sockaddr_in()
        remote.sin_family = sa_family_t(AF_INET)
        remote.sin_port = in_port_t(UInt16(port).bigEndian)
        inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr)
        let size = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, size) } }
        let connected = withUnsafePointer(to: &remote) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, size) }
        }
        guard bound == 0, connected == 0 else {
            close(descriptor)
            throw TestSupportError(.connectionFailed, "cannot connect from \(source)", errno: errno)
        }
        return descriptor
    }

    @Test func anIdleFloodFromOneHostLeavesRoomForTheRealSenders() async throws {
        let port = try Loopback.freePort()
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "partners"
                format = "jsonl"
                transport = "tcp-listen"
                address = "127.0.0.1:\(port)"
                allow = ["127.0.0.0/8"]
                frame_timeout = 2
                """) { daemon in
            // 200 idle connections from one host: 8 get a slot, the rest are refused.
            var idle: [Int32] = []
            for _ in 0..<200 { idle.append(try Self.connect(port: port, from: "127.0.0.2")) }
            try await eventually("the flood refused beyond the peer's limit") {
                (try daemon.metric(#"flightedge_feed_refused_connections_total{feed="partners"}"#)) == 192
            }
            // 33 real senders, each from an address of its own, each with one update.
            for sender in 0..<33 {
                let descriptor = try Self.connect(port: port, from: "127.0.1.\(sender + 1)")
                let line = #"{"airline":"XP","number":"\#(sender + 1)","date":"\#(Fixture.day)","direction":"departure","gate":"C\#(sender)"}"# + "\n"
                try Loopback.writeAll(descriptor, Array(line.utf8))
                close(descriptor)
            }
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("all 33 senders' updates committed") {
                try connection.query("SELECT count(*) FROM flightedge.flights WHERE flight_id LIKE 'XP%'").rows == [["33"]]
            }
            let health = try daemon.http("/healthz").body
            #expect(health.contains(#""connections":8"#) && health.contains(#""connection_slots":64"#), "slot use: \(health)")
            #expect(try daemon.metric(#"flightedge_feed_connection_slots{feed="partners"}"#) == 64)

            // A trickler: a byte every 500 ms, never a whole frame. frame_timeout (2 s) ends it.
            let trickler = try Self.connect(port: port, from: "127.0.0.3")
            let started = ContinuousClock.now
            var closed = false
            for byte in Array(#"{"airline":"SL","number":"1","date":"2026-12-05","direction":"#.utf8) {
                _ = withUnsafePointer(to: byte) { send(trickler, $0, 1, Int32(MSG_NOSIGNAL)) }
                try await Task.sleep(for: .milliseconds(500))
                if HostilePeersFaultTests.isClosedByPeer(trickler) {
                    closed = true
                    break
                }
            }
            let lasted = ContinuousClock.now - started
            #expect(closed && lasted < .seconds(10), "a trickler is closed by frame_timeout, after \(lasted)")
            #expect(daemon.log.contains("no frame completed within frame_timeout"))
            close(trickler)
            for descriptor in idle { close(descriptor) }
            print("fault suite, connection slots: 200 idle connections from one host, 8 admitted, 192 refused; 33 of 33 real senders committed; a trickler closed by frame_timeout after \(lasted)")
            #expect(daemon.stop() == 0)
        }
    }
}
