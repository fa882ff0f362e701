#if canImport(Glibc)
import Glibc
#endif
internal import CSystemd

/// Talks to systemd's service manager over `$NOTIFY_SOCKET` (`sd_notify`).
///
/// Outside systemd (no `NOTIFY_SOCKET`), every call is a no-op that returns false, so the
/// daemon runs the same in a terminal.
public struct SystemdNotifier: Sendable {
    public init() {}

    /// True when the process was started by systemd with a notify socket.
    public var isAvailable: Bool {
        getenv("NOTIFY_SOCKET") != nil
    }

    /// Sends raw `KEY=value` lines. Returns true when systemd received them.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    /// `READY=1`: start-up finished (database migrated, broker connected, feeds listening).
    @discardableResult
    public func ready(status: String? = nil) -> Bool {
        notify(status.map { "READY=1\nSTATUS=\($0)" } ?? "READY=1")
    }

    /// `STOPPING=1`: the daemon is shutting down and draining.
    @discardableResult
    public func stopping() -> Bool { notify("STOPPING=1") }

    /// `RELOADING=1` with the monotonic timestamp systemd 253+ expects, before a reload.
    @discardableResult
    public func reloading() -> Bool {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
        return notify("RELOADING=1\nMONOTONIC_USEC=\(microseconds)")
    }

    /// `STATUS=…`: the one-line summary `systemctl status` shows.
    @discardableResult
    public func status(_ line: String) -> Bool {
        // A newline would start a new assignment; keep the status on one line.
        notify("STATUS=" + line.split(whereSeparator: \.isNewline).joined(separator: " "))
    }

    /// `WATCHDOG=1`: the pipeline made progress. Send it from the pipeline's own loop only.
    @discardableResult
    public func watchdog() -> Bool { notify("WATCHDOG=1") }

    /// The watchdog interval systemd asked for (`WatchdogSec=`), or nil when none is set.
    public var watchdogInterval: Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds))
    }
}
