import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where `simulate` writes: standard output or a TCP connection. Writes block, so a feed that
/// applies backpressure slows the simulator down instead of filling memory.
struct FeedOutput {
    private let descriptor: Int32
    private let ownsDescriptor: Bool

    static let standardOutput = FeedOutput(descriptor: 1, ownsDescriptor: false)

    private init(descriptor: Int32, ownsDescriptor: Bool) {
        self.descriptor = descriptor
        self.ownsDescriptor = ownsDescriptor
    }

    struct ConnectError: Error, CustomStringConvertible {
        var description: String
    }

    /// Connects to `host:port` (IPv4, IPv6 in brackets, or a name).
    init(connectingTo target: String) throws {
        guard let colon = target.lastIndex(of: ":"), let port = Int(target[target.index(after: colon)...]) else {
            throw ConnectError(description: "--to must be HOST:PORT, got \(target)")
        }
        var host = String(target[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
            throw ConnectError(description: "cannot resolve \(host)")
        }
        defer { freeaddrinfo(list) }
        var candidate: UnsafeMutablePointer<addrinfo>? = first
        while let info = candidate {
            let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
            if fd >= 0 && connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                self.init(descriptor: fd, ownsDescriptor: true)
                return
            }
            if fd >= 0 { Glibc.close(fd) }
            candidate = info.pointee.ai_next
        }
        throw ConnectError(description: "cannot connect to \(target): \(String(cString: strerror(errno)))")
    }

    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
            if written < 0 {
                if errno == EINTR { continue }
                throw ConnectError(description: "write failed: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    func close() {
        if ownsDescriptor {
            shutdown(descriptor, Int32(SHUT_WR))
            // Wait for the peer to close, so everything sent is read before we exit.
            var scratch = [UInt8](repeating: 0, count: 256)
            while recv(descriptor, &scratch, scratch.count, 0) > 0 {}
            Glibc.close(descriptor)
        }
    }
}
