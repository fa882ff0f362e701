import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Plain TCP on 127.0.0.1, as a feed sender or an HTTP client talks to the daemon.
public enum Loopback {
    /// A port nobody listens on right now, free until someone binds it.
    ///
    /// Taken from 30000–32767: below Linux's ephemeral range (32768–60999), so no client
    /// connection can take it as its source port between this check and the server's bind (a
    /// restarted broker once failed to listen for that reason), and above the fixed ports of
    /// `scripts/services`, `scripts/central` and the stand-ins (21883–29190). Ports are handed
    /// out in turn from a random start, so two calls do not return the same one.
    public static func freePort() throws(TestSupportError) -> Int {
        for _ in 0..<freeRange.count {
            let port = nextCandidate.withLock { cursor in
                defer { cursor = cursor == freeRange.upperBound ? freeRange.lowerBound : cursor + 1 }
                return cursor
            }
            if try isFree(port) { return port }
        }
        throw TestSupportError(.connectionFailed, "no free port on 127.0.0.1 in \(freeRange)")
    }

    private static let freeRange = 30_000...32_767
    private static let nextCandidate = Mutex(Int.random(in: freeRange))

    private static func isFree(_ port: Int) throws(TestSupportError) -> Bool {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSupportError(.connectionFailed, "cannot create a socket", errno: errno) }
        defer { close(descriptor) }
        var address = loopback(port: port)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        return bound == 0
    }

    /// A TCP connection to 127.0.0.1:`port`, the caller closes it. `noDelay` turns Nagle's
    /// algorithm off (TCP_NODELAY), as a latency-sensitive sender would.
    public static func connect(port: Int, noDelay: Bool = false) throws(TestSupportError) -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw TestSupportError(.connectionFailed, "cannot create a socket", errno: errno) }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            let failure = errno
            close(descriptor)
            throw TestSupportError(.connectionFailed, "cannot connect to 127.0.0.1:\(port)", errno: failure)
        }
        if noDelay {
            var one: Int32 = 1
            setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        }
        return descriptor
    }

    /// Writes all of `bytes` to `descriptor`, blocking as long as the peer does not read.
    public static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws(TestSupportError) {
        var offset = 0
        while offset < bytes.count {
            // MSG_NOSIGNAL: a peer that closed is an error here, not a SIGPIPE ending the tests.
            let written = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else {
                throw TestSupportError(.connectionFailed, "write failed after \(offset) of \(bytes.count) bytes", errno: errno)
            }
            offset += written
        }
    }

    /// Connects to 127.0.0.1:`port`, writes `bytes`, closes the write side and reads the reply
    /// until the peer closes.
    public static func exchange(_ bytes: [UInt8], port: Int) throws(TestSupportError) -> [UInt8] {
        let descriptor = try connect(port: port)
        defer { close(descriptor) }
        try writeAll(descriptor, bytes)
        shutdown(descriptor, Int32(SHUT_WR))
        var reply: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = recv(descriptor, &scratch, scratch.count, 0)
            guard count > 0 else { break }
            reply += scratch[0..<count]
        }
        return reply
    }

    /// `GET path` over HTTP/1.0: the status code (0 when the reply has none) and the body.
    public static func get(_ path: String, port: Int) throws(TestSupportError) -> (status: Int, body: String) {
        let reply = String(decoding: try exchange(Array("GET \(path) HTTP/1.0\r\n\r\n".utf8), port: port), as: UTF8.self)
        let parts = reply.components(separatedBy: "\r\n\r\n")
        let statusLine = parts.first?.split(separator: "\r\n").first ?? ""
        let status = statusLine.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    private static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}
