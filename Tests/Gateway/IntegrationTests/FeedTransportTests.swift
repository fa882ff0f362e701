import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("Feed transports against a real daemon")
struct FeedTransportTests {
    @Test func aPeerOutsideTheAllowListIsRefusedAndLogged() async throws {
        let port = try Loopback.freePort()
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "partners"
                format = "jsonl"
                transport = "tcp-listen"
                address = "127.0.0.1:\(port)"
                allow = ["10.20.0.0/24"]
                """) { daemon in
            // The connection is accepted by the kernel, then closed by the daemon unread.
            try? daemon.send(lines: [#"{"airline":"LX","number":"1","date":"2026-11-24","direction":"departure","gate":"A1"}"#], port: port)
            try await eventually("refusal logged") { daemon.log.contains("feed refused a peer not on its allow list") }
            #expect(daemon.log.contains("peer=127.0.0.1"))
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            #expect(try connection.query("SELECT count(*) FROM flightedge.flight_changes").rows == [["0"]])
            #expect(daemon.stop() == 0)
        }
    }

    @Test func tcpConnectReconnectsAfterTheSenderGoesAwayAndLogsItOnce() async throws {
        let sender = try TestSender()
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "aodb-link"
                format = "jsonl"
                transport = "tcp-connect"
                address = "127.0.0.1:\(sender.port)"
                """) { daemon in
            let first = try sender.accept()
            try TestSender.write(first, #"{"airline":"LX","number":"1","date":"2026-11-24","direction":"departure","gate":"A1"}"# + "\n")
            Glibc.close(first)
            // Down for a while: the daemon retries with backoff and logs the loss once.
            let second = try sender.accept(timeout: 15)
            try TestSender.write(second, #"{"airline":"LX","number":"1","date":"2026-11-24","direction":"departure","gate":"A2"}"# + "\n")
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("both gates committed") {
                try connection.query("SELECT count(*) FROM flightedge.flight_changes WHERE field = 'gate'").rows == [["2"]]
            }
            Glibc.close(second)
            #expect(daemon.log.components(separatedBy: "feed connected").count - 1 == 2)
            #expect(daemon.stop() == 0)
        }
    }

    @Test func manySendersAtOnceAreAllRead() async throws {
        try await withDaemon { daemon in
            let senders = 20
            let perSender = 50
            await withTaskGroup(of: Void.self) { group in
                for sender in 0..<senders {
                    group.addTask {
                        let lines = (0..<perSender).map { index in
                            #"{"airline":"LX","number":"\#(sender * 100 + index + 1)","date":"2026-11-24","direction":"departure","gate":"A\#(index)"}"#
                        }
                        try? daemon.send(lines: lines)
                    }
                }
            }
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("every sender's flights committed") {
                try connection.query("SELECT count(*) FROM flightedge.flights").rows == [["\(senders * perSender)"]]
            }
            #expect(try connection.query("SELECT count(*) FROM flightedge.rejected_frames").rows == [["0"]])
            #expect(daemon.stop() == 0)
        }
    }

    @Test func anOversizeFrameIsRejectedAndTheStreamGoesOn() async throws {
        try await withDaemon(maxFrameBytes: 1024) { daemon in
            try daemon.send(lines: [
                #"{"airline":"LX","number":"1","date":"2026-11-24","direction":"departure","remark":""# + String(repeating: "x", count: 5000) + #""}"#,
                #"{"airline":"LX","number":"1","date":"2026-11-24","direction":"departure","gate":"A1"}"#,
            ])
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("rejection and gate") {
                try connection.query("SELECT count(*) FROM flightedge.rejected_frames").rows == [["1"]]
                    && connection.query("SELECT count(*) FROM flightedge.flight_changes").rows == [["1"]]
            }
            let error = try connection.query("SELECT error, length(raw) FROM flightedge.rejected_frames").rows.first
            #expect(error?[0]?.contains("exceeds max_frame_bytes") == true)
            #expect(error?[1] == "1024")
            #expect(daemon.stop() == 0)
        }
    }

    /// A length-prefix stream cannot be resynchronised after a length over the limit: the frame
    /// is rejected and the daemon closes that connection; the sender's next connection works.
    @Test func aLengthPrefixOverTheLimitRejectsTheFrameAndClosesTheConnection() async throws {
        let port = try Loopback.freePort()
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "framed"
                format = "jsonl"
                transport = "tcp-listen"
                address = "127.0.0.1:\(port)"
                framing = "length-prefix"
                max_frame_bytes = 4096
                """) { daemon in
            func framed(_ text: String) -> [UInt8] {
                let body = Array(text.utf8)
                let length = UInt32(body.count)
                return [UInt8(length >> 24), UInt8((length >> 16) & 0xFF), UInt8((length >> 8) & 0xFF), UInt8(length & 0xFF)] + body
            }
            let line = { (gate: String) in
                #"{"airline":"LX","number":"7","date":"\#(Fixture.day)","direction":"departure","gate":"\#(gate)"}"#
            }
            let sender = try Loopback.connect(port: port)
            defer { close(sender) }
            // A good frame, then a length of 10 MB followed by bytes that never make a frame.
            let oversize: [UInt8] = [0x00, 0xA0, 0x00, 0x00] + Array(repeating: UInt8(ascii: "x"), count: 8192)
            let bytes = framed(line("A1")) + oversize
            guard bytes.withUnsafeBytes({ Glibc.write(sender, $0.baseAddress, $0.count) }) == bytes.count else {
                throw POSIXError(.EPIPE)
            }
            // The daemon closes the connection: reading reaches the end (or a reset).
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(sender, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            var scratch = [UInt8](repeating: 0, count: 64)
            let read = recv(sender, &scratch, scratch.count, 0)
            #expect(read == 0 || (read < 0 && errno == ECONNRESET), "the daemon closed the connection (read \(read), errno \(errno))")

            // The next connection starts a fresh stream.
            let again = try Loopback.connect(port: port)
            let next = framed(line("A2"))
            _ = next.withUnsafeBytes { Glibc.write(again, $0.baseAddress, $0.count) }
            close(again)
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("both good frames applied and the oversize one rejected") {
                try connection.query(
                    "SELECT count(*) FROM flightedge.flight_changes WHERE feed = 'framed' AND field = 'gate'").rows == [["2"]]
                    && connection.query("SELECT count(*) FROM flightedge.rejected_frames WHERE feed = 'framed'").rows == [["1"]]
            }
            let rejection = try connection.query("SELECT error FROM flightedge.rejected_frames WHERE feed = 'framed'").rows
            #expect(rejection.first?.first??.contains("exceeds max_frame_bytes") == true, "\(rejection)")
            #expect(daemon.log.contains("closing feed connection: its framing cannot be trusted any more"))
            #expect(daemon.stop() == 0)
        }
    }
}

/// A TCP server standing in for an AODB that serves its feed.
final class TestSender {
    let port: Int
    private let descriptor: Int32

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var reuse: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        listen(descriptor, 8)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        self.descriptor = descriptor
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { Glibc.close(descriptor) }

    func accept(timeout: Int = 10) throws -> Int32 {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, Int32(timeout * 1000)) == 1 else { throw TimedOut() }
        return Glibc.accept(descriptor, nil, nil)
    }

    static func write(_ descriptor: Int32, _ text: String) throws {
        let bytes = Array(text.utf8)
        guard bytes.withUnsafeBytes({ Glibc.write(descriptor, $0.baseAddress, $0.count) }) == bytes.count else {
            throw POSIXError(.EPIPE)
        }
    }
}
