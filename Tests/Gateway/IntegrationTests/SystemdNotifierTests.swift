import Foundation
import Systemd
import Testing

#if canImport(Glibc)
import Glibc
#endif

@Suite("sd_notify wrapper against a notify socket the test owns", .serialized)
struct SystemdNotifierTests {
    @Test func readyStatusAndWatchdogReachTheNotifySocket() throws {
        let socket = try NotifySocket()
        defer { socket.close() }
        setenv("NOTIFY_SOCKET", socket.path, 1)
        defer { unsetenv("NOTIFY_SOCKET") }

        let notifier = SystemdNotifier()
        #expect(notifier.isAvailable)
        #expect(notifier.ready(status: "feeds 2/2 up"))
        #expect(try socket.receive() == "READY=1\nSTATUS=feeds 2/2 up")
        #expect(notifier.status("line one\nline two"))
        #expect(try socket.receive() == "STATUS=line one line two")
        #expect(notifier.watchdog())
        #expect(try socket.receive() == "WATCHDOG=1")
        #expect(notifier.stopping())
        #expect(try socket.receive() == "STOPPING=1")
        #expect(notifier.reloading())
        let reloading = try socket.receive()
        #expect(reloading.hasPrefix("RELOADING=1\nMONOTONIC_USEC="))
    }

    @Test func withoutNotifySocketEveryCallIsAHarmlessNoOp() {
        unsetenv("NOTIFY_SOCKET")
        let notifier = SystemdNotifier()
        #expect(!notifier.isAvailable)
        #expect(!notifier.ready())
        #expect(notifier.watchdogInterval == nil)
    }
}

/// A datagram unix socket standing in for systemd's notify socket.
final class NotifySocket {
    let path: String
    private let descriptor: Int32

    init() throws {
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
        guard bound == 0 else { throw POSIXError(.EADDRINUSE) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    }

    func receive(timeout: Double = 5) throws -> String {
        var limit = timeval(tv_sec: Int(timeout), tv_usec: Int((timeout - Double(Int(timeout))) * 1_000_000))
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { throw POSIXError(.ETIMEDOUT) }
        return String(decoding: buffer[..<count], as: UTF8.self)
    }

    func close() {
        Glibc.close(descriptor)
        unlink(path)
    }
}
