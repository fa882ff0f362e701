import FlightEdgeTestSupport
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
