import FlightEdgeTestSupport
import Foundation
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A screen that stops reading its stream (a hung kiosk browser, a cable pulled without a
/// reset) must not cost the others anything: the gateway drops it once its buffer is full,
/// its memory stays bounded, and a screen that reads keeps getting every change at once.
@Suite(.serialized) struct BoardsSlowScreenTests {
    let flights = BoardsFlights()
    /// Departures on the board: the stalled screen's snapshot alone fills its socket.
    let listed = 1_500
    /// Events the reading screen gets while the other stalls: enough to fill the stalled one's
    /// socket (the kernel takes up to `tcp_wmem`'s maximum, 4 MB here), then well over the 256
    /// a screen may have waiting in the gateway.
    static let eventsWanted = 800
    /// Bytes the same: the socket's share, and more.
    static let bytesWanted = socketSendBufferMaximum + (2 << 20)
    let perRound = 50

    @Test func aScreenThatDoesNotReadIsDroppedWhileAReadingScreenKeepsUp() async throws {
        try await withDaemon { daemon in
            let numbers = (0..<listed).map { String(1000 + $0) }
            try daemon.send(lines: numbers.map { flights.departure("LX", $0, to: "LHR", at: 60, "\"gate\":\"A1\"") })
            let last = flights.flightID("LX", numbers[listed - 1])
            var listedAll = false
            for _ in 0..<200 where !listedAll {
                listedAll = try daemon.http("/board/departures").body.contains(last)
                if !listedAll { try await Task.sleep(for: .milliseconds(50)) }
            }
            try #require(listedAll, "the gateway never listed the \(listed) departures")
            let pid = try #require(daemon.pid)

            // The stalled screen: a receive buffer of a few kilobytes, and it never reads.
            let stalled = try connect(port: daemon.httpPort, receiveBuffer: 4096)
            defer { _ = Glibc.close(stalled) }
            try Loopback.writeAll(stalled, Array("GET /board/stream?board=departures HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
            let reader = try EventStreamClient(port: daemon.httpPort, path: "/board/stream?board=departures")
            defer { reader.close() }
            #expect(try reader.next(timeout: 10)?.name == "snapshot")
            try await Task.sleep(for: .milliseconds(500))
            let residentBefore = ProcessStatistics.residentMegabytes(pid)

            // Rounds of gate changes, each round's gate named after it, until the reading screen
            // has had well over the 256 events a screen may have waiting (the stalled one was
            // handed each of them too).
            let shared = FeedRounds()
            let feed = daemon.listenPort
            // A thread of its own: the reader below blocks its thread, and the tasks' pool may
            // have no other one free (suites run side by side outside scripts/test).
            let feeder = Thread { [flights, numbers, perRound, listed] in
                var round = 0
                while round < 3_000, shared.state.withLock({ $0.events < Self.eventsWanted || $0.bytes < Self.bytesWanted }) {
                    let gate = "S\(round)"
                    let lines = (0..<perRound).map { index in
                        let number = numbers[(round * perRound + index) % listed]
                        return flights.departure("LX", number, to: "LHR", at: 60, "\"gate\":\"\(gate)\"")
                    }
                    shared.state.withLock { $0.sentAt[gate] = Date() }
                    do {
                        _ = try Loopback.exchange(Array((lines.joined(separator: "\n") + "\n").utf8), port: feed)
                    } catch {
                        shared.state.withLock { $0.feedError = "\(error)" }
                        break
                    }
                    round += 1
                    usleep(5_000)
                }
                shared.state.withLock { $0.lastGate = "S\(round - 1)" }
            }
            feeder.start()
            // The reading screen: each round's gate, and how long after its sending it came.
            var lags: [String: Double] = [:]
            let deadline = Date().addingTimeInterval(90)
            while Date() < deadline, let event = try reader.next(timeout: 10) {
                let received = Date()
                if event.name == "update" {
                    shared.state.withLock {
                        $0.events += 1
                        $0.bytes += event.data.utf8.count
                    }
                }
                for match in event.data.matches(of: /"gate":"(S\d+)"/) where lags[String(match.1)] == nil {
                    let gate = String(match.1)
                    if let sent = shared.state.withLock({ $0.sentAt[gate] }) { lags[gate] = received.timeIntervalSince(sent) }
                }
                if let last = shared.state.withLock({ $0.lastGate }), lags[last] != nil { break }
            }
            // Why the reading stopped, for a failure's message: the stream ended, or went quiet.
            let readerEnded = try reader.ends(within: 0.5)
            while shared.state.withLock({ $0.lastGate == nil }) { try await Task.sleep(for: .milliseconds(50)) }
            #expect(shared.state.withLock { $0.feedError } == nil)
            let lastGate = try #require(shared.state.withLock { $0.lastGate })
            let rounds = shared.state.withLock { $0.sentAt.count }
            let residentAfter = ProcessStatistics.residentMegabytes(pid)

            let why = readerEnded ? "its stream ended" : "its stream went quiet for 10 s"
            #expect(lags[lastGate] != nil, "the reading screen never got the last round's gate (\(why))")
            let worst = lags.values.max() ?? .infinity
            let events = shared.state.withLock { $0.events }
            print(
                "boards: a reading screen beside a stalled one: \(events) events, \(lags.count) of \(rounds) rounds seen,"
                    + " worst lag \(Int(worst * 1000)) ms, gateway RSS \(Int(residentBefore)) -> \(Int(residentAfter)) MB")
            #expect(events >= Self.eventsWanted)
            // Each round changes other flights than the 29 before: nearly every round's gate is
            // seen (rounds 30 apart that fall into one event show the later gate only).
            #expect(lags.count >= rounds * 9 / 10, "\(lags.count) of \(rounds) rounds seen")
            // Feed to screen through a commit, on two cores shared with the test and its feeder.
            #expect(worst < 3, "the reading screen fell behind: \(worst) s")
            #expect(residentAfter - residentBefore < 40, "gateway RSS grew \(residentBefore) -> \(residentAfter) MB")

            // The stalled screen was dropped: what it has is a finished stream, not every change.
            var large: Int32 = 1 << 20
            setsockopt(stalled, SOL_SOCKET, SO_RCVBUF, &large, socklen_t(MemoryLayout<Int32>.size))
            let (bytes, ended) = drain(stalled, timeout: 15)
            print("boards: the stalled screen had \(bytes.count / 1024) kB when it was dropped")
            #expect(ended, "the stalled screen's stream did not end (\(bytes.count) bytes read)")
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains("\"gate\":\"\(lastGate)\""), "the stalled screen got every change; it was never behind")
            // Its browser reconnects from the last id it saw and catches up with the present.
            let lastID = text.matches(of: /\nid: ([^\n]+)\n/).last.map { String($0.1) }
            let seen = try #require(lastID)
            let again = try EventStreamClient(
                port: daemon.httpPort, path: "/board/stream?board=departures", lastEventID: seen)
            defer { again.close() }
            let caughtUp = try again.next(timeout: 10)
            #expect(caughtUp?.data.contains("\"gate\":\"\(lastGate)\"") == true)
        }
    }

    /// A connection to 127.0.0.1 whose receive buffer (and so its TCP window) is set before it
    /// connects: a later setting no longer shrinks the window the peer was offered.
    private func connect(port: Int, receiveBuffer: Int32) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(descriptor >= 0)
        var size = receiveBuffer
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = in_addr_t(0x7F00_0001).bigEndian
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        if connected != 0 { _ = Glibc.close(descriptor) }
        try #require(connected == 0, "cannot connect to 127.0.0.1:\(port): errno \(errno)")
        return descriptor
    }

    /// Reads `descriptor` until its chunked response ends, it closes, or `timeout` seconds pass.
    private func drain(_ descriptor: Int32, timeout: Double) -> (bytes: [UInt8], ended: Bool) {
        var bytes: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 65_536)
        let end = Array("\r\n0\r\n\r\n".utf8)
        let deadline = Date().addingTimeInterval(timeout)
        while deadline.timeIntervalSinceNow > 0 {
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 200) >= 0 else { break }
            guard poller.revents != 0 else { continue }
            let count = recv(descriptor, &scratch, scratch.count, 0)
            if count <= 0 { return (bytes, true) }
            bytes += scratch[0..<count]
            if bytes.count >= end.count, Array(bytes.suffix(end.count)) == end { return (bytes, true) }
        }
        return (bytes, false)
    }
}

/// Shared by the feeding task and the test: when each round was sent, the events the reading
/// screen has had, and the last round's gate once the feeding ended.
private final class FeedRounds: Sendable {
    struct State {
        var sentAt: [String: Date] = [:]
        var events = 0
        var bytes = 0
        var lastGate: String?
        var feedError: String?
    }
    let state = Mutex(State())
}

/// The most a TCP socket's send buffer grows to (`net.ipv4.tcp_wmem`'s third value).
private let socketSendBufferMaximum: Int = {
    let text = (try? String(contentsOfFile: "/proc/sys/net/ipv4/tcp_wmem", encoding: .utf8)) ?? ""
    return text.split(whereSeparator: \.isWhitespace).last.flatMap { Int($0) } ?? 4 << 20
}()
