import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A datagram unix socket standing in for systemd's notify socket.
public final class NotifySocket {
    /// The socket's path, for `NOTIFY_SOCKET`.
    public let path: String
    private let descriptor: Int32

    public init() throws(TestSupportError) {
        path = NSTemporaryDirectory() + "fe-notify-\(UUID().uuidString.prefix(8)).sock"
        descriptor = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            for (index, byte) in path.utf8.enumerated() { buffer[index] = byte }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
            }
        }
        guard bound == 0 else { throw TestSupportError(.connectionFailed, "cannot bind the notify socket \(path)", errno: errno) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    /// The next datagram, waiting up to `timeout` seconds.
    public func receive(timeout: Double = 5) throws(TestSupportError) -> String {
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { throw TestSupportError(.connectionFailed, "nothing on the notify socket within \(timeout) s", errno: ETIMEDOUT) }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    /// Closes the socket and removes its file.
    public func close() {
        Glibc.close(descriptor)
        unlink(path)
    }
}

/// systemd's end of the notify socket: a thread reads every datagram as it arrives, as systemd
/// does, so the daemon never finds the socket full; the messages are kept in order.
public final class NotifyListener: @unchecked Sendable {
    // @unchecked: `received` and `stopped` are only touched under `lock`; `socket` is read by
    // the reading thread until `close()` has seen that thread finish.
    /// The socket's path, for `NOTIFY_SOCKET`.
    public let path: String
    private let socket: NotifySocket
    private let lock = NSLock()
    private var received: [String] = []
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    public init() throws(TestSupportError) {
        socket = try NotifySocket()
        path = socket.path
        let thread = Thread { [self] in
            while !isStopped {
                if let message = try? socket.receive(timeout: 0.1) { lock.withLock { received.append(message) } }
            }
            finished.signal()
        }
        thread.start()
    }

    private var isStopped: Bool { lock.withLock { stopped } }

    /// Messages received so far.
    public var count: Int { lock.withLock { received.count } }

    /// Messages from the `index`th on.
    public func messages(from index: Int) -> [String] {
        lock.withLock { Array(received.dropFirst(index)) }
    }

    /// Stops the reading thread and closes the socket; safe to call more than once.
    public func close() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        finished.wait()
        socket.close()
    }
}
