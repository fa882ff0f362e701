import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// A loopback TCP relay standing for an airport's WAN link to one central node: what connects to
/// ``port`` is forwarded to `upstream`. ``cut()`` drops every connection and refuses new ones (an
/// outage the airport's bridge cannot get around), ``restore()`` listens on the same port again.
public final class WANLink: Sendable {
    public let port: Int
    public let upstream: Int
    private let state = Mutex(State())

    private struct State {
        var listener: Int32 = -1
        var sockets: Set<Int32> = []
    }

    public init(upstream: Int) throws {
        self.upstream = upstream
        port = try Loopback.freePort()
        try restore()
    }

    /// Listens again; connections are forwarded from now on.
    public func restore() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 16) == 0 else {
            close(listener)
            throw TestSupportError(.daemonNotReady, "WAN link cannot listen on \(port): errno \(errno)")
        }
        state.withLock { $0.listener = listener }
        let thread = Thread { [self] in acceptLoop(listener) }
        thread.start()
    }

    /// Drops every forwarded connection and stops listening.
    public func cut() {
        state.withLock { state in
            shutdown(state.listener, Int32(SHUT_RDWR))
            state.listener = -1
            for socket in state.sockets { shutdown(socket, Int32(SHUT_RDWR)) }
        }
    }

    private func acceptLoop(_ listener: Int32) {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { break }
            guard state.withLock({ $0.listener == listener }), let server = try? Loopback.connect(port: upstream, noDelay: true) else {
                close(client)
                continue
            }
            var yes: Int32 = 1
            setsockopt(client, Int32(IPPROTO_TCP), TCP_NODELAY, &yes, socklen_t(MemoryLayout<Int32>.size))
            state.withLock { _ = $0.sockets.insert(client); _ = $0.sockets.insert(server) }
            let finished = PumpCount()
            for (from, to) in [(client, server), (server, client)] {
                Thread { [self] in
                    pump(from: from, to: to)
                    shutdown(from, Int32(SHUT_RDWR))
                    shutdown(to, Int32(SHUT_RDWR))
                    // The second pump to end closes both.
                    if finished.value.add(1, ordering: .acquiringAndReleasing).newValue == 2 {
                        state.withLock { _ = $0.sockets.remove(client); _ = $0.sockets.remove(server) }
                        close(client)
                        close(server)
                    }
                }.start()
            }
        }
        close(listener)
    }

    private func pump(from: Int32, to: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(from, $0.baseAddress, $0.count) }
            guard count > 0 else { return }
            var sent = 0
            while sent < count {
                // MSG_NOSIGNAL: a side closed while the other still sends is EPIPE here, not a
                // SIGPIPE that ends the whole test process (a clean-clone CI run died so, 13).
                let written = buffer.withUnsafeBytes { send(to, $0.baseAddress! + sent, count - sent, Int32(MSG_NOSIGNAL)) }
                guard written > 0 else { return }
                sent += written
            }
        }
    }

    deinit {
        cut()
    }
}

/// How many of a connection's two pumps ended.
private final class PumpCount: Sendable {
    let value = Atomic<Int>(0)
}
