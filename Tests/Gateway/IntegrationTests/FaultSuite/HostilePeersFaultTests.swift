import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Fault suite, hostile peers: idle connections, a slow-loris, a flood of connections and a
/// peer off the allow list. Limits and idle timeouts keep the others flowing.
@Suite("Fault suite: hostile TCP peers")
struct HostilePeersFaultTests {
    static func connect(_ port: Int) throws -> Int32 { try Loopback.connect(port: port) }

    /// True when the daemon has closed this connection (a read returns end of stream).
    static func isClosedByPeer(_ descriptor: Int32) -> Bool {
        var pollDescriptor = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&pollDescriptor, 1, 0) > 0 else { return false }
        var byte: UInt8 = 0
        return recv(descriptor, &byte, 1, Int32(MSG_PEEK)) <= 0
    }

    @Test func floodsIdlersAndASlowLorisDoNotStopTheOthers() async throws {
        let port = try Loopback.freePort()
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "partners"
                format = "jsonl"
                transport = "tcp-listen"
                address = "127.0.0.1:\(port)"
                max_connections = 4
                idle_timeout = 1
                """) { daemon in
            let pid = try #require(daemon.pid)

            // Three idle peers and a slow-loris take every slot.
            let idlers = try (0..<3).map { _ in try Self.connect(port) }
            let loris = try Self.connect(port)
            try await Task.sleep(for: .milliseconds(200))
            // A flood: 200 more connections, each refused and counted, none let in.
            var flood: [Int32] = []
            for _ in 0..<200 { flood.append(try Self.connect(port)) }
            try await eventually("the flood refused") { flood.allSatisfy(Self.isClosedByPeer) }
            for descriptor in flood { Glibc.close(descriptor) }
            let refused = try daemon.metric(#"flightedge_feed_refused_connections_total{feed="partners"}"#)
            #expect(refused == 200)
            #expect(daemon.log.contains("feed refused a connection over max_connections"))

            // Meanwhile the main feed flows.
            try daemon.send(lines: [#"{"airline":"LX","number":"1","date":"\#(Fixture.day)","direction":"departure","gate":"A1"}"#])

            // The slow-loris trickles a byte at a time; the idle peers are closed by the timeout.
            for byte in Array(#"{"airline":"SL","number":"1""#.utf8) {
                _ = withUnsafePointer(to: byte) { write(loris, $0, 1) }
                try await Task.sleep(for: .milliseconds(150))
            }
            #expect(idlers.allSatisfy(Self.isClosedByPeer), "idle peers are closed after idle_timeout")
            for descriptor in idlers { Glibc.close(descriptor) }
            // A slot is free again: an honest partner gets in.
            try daemon.send(lines: [#"{"airline":"VA","number":"2","date":"\#(Fixture.day)","direction":"arrival","belt":"3"}"#], port: port)

            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("both honest updates committed") {
                try connection.query("SELECT flight_id FROM flightedge.flights ORDER BY 1").rows
                    == [["LX0001-\(Fixture.compact)-D"], ["VA0002-\(Fixture.compact)-A"]]
            }
            Glibc.close(loris)
            #expect(daemon.pid == pid)
            #expect(ProcessStatistics.residentMegabytes(pid) < 200)
            print("fault suite, hostile peers: 3 idle peers and a slow-loris filled 4 slots; 200 more connections refused and counted; idle peers closed after 1 s; the main feed and an honest partner were served throughout")
            #expect(daemon.stop() == 0)
        }
    }
}
