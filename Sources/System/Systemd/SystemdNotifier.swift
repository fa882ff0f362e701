#if canImport(Glibc)
import Glibc
#endif
import Dispatch
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
    ///
    /// Blocks while the receiving socket's queue is full: call it from a thread that may wait,
    /// or use ``post(_:)``.
    @discardableResult
    public func notify(_ state: String) -> Bool {
        sd_notify(0, state) > 0
    }

    /// Queues a message and returns at once; messages are sent in order from a thread of their
    /// own. What the daemon's tasks use: a supervisor slow to read must not stall the threads
    /// that run the pipeline.
    public func post(_ message: SystemdMessage) {
        let text = message.text
        Self.sender.async { _ = sd_notify(0, text) }
    }

    private static let sender = DispatchQueue(label: "flightedge.sd-notify")

    /// `READY=1`: start-up finished (database migrated, broker connected, feeds listening).
    @discardableResult
    public func ready(status: String? = nil) -> Bool { notify(SystemdMessage.ready(status: status).text) }

    /// `STOPPING=1`: the daemon is shutting down and draining.
    @discardableResult
    public func stopping() -> Bool { notify(SystemdMessage.stopping.text) }

    /// `RELOADING=1` with the monotonic timestamp systemd 253+ expects, before a reload.
    @discardableResult
    public func reloading() -> Bool { notify(SystemdMessage.reloading.text) }

    /// `STATUS=…`: the one-line summary `systemctl status` shows.
    @discardableResult
    public func status(_ line: String) -> Bool { notify(SystemdMessage.status(line).text) }

    /// `WATCHDOG=1`: the pipeline made progress. Send it from the pipeline's own loop only.
    @discardableResult
    public func watchdog() -> Bool { notify(SystemdMessage.watchdog.text) }

    /// The watchdog interval systemd asked for (`WatchdogSec=`), or nil when none is set.
    public var watchdogInterval: Duration? {
        var microseconds: UInt64 = 0
        guard sd_watchdog_enabled(0, &microseconds) > 0, microseconds > 0 else { return nil }
        return .microseconds(Int64(microseconds))
    }
}

/// What the daemon tells systemd.
public enum SystemdMessage: Sendable {
    /// `READY=1`, with the first status line.
    case ready(status: String?)
    /// `STATUS=…`, kept on one line.
    case status(String)
    /// `WATCHDOG=1`.
    case watchdog
    /// `STOPPING=1`.
    case stopping
    /// `RELOADING=1` with `MONOTONIC_USEC=` of now.
    case reloading

    /// The datagram's text.
    public var text: String {
        switch self {
        case .ready(let status):
            return status.map { "READY=1\n" + Self.statusLine($0) } ?? "READY=1"
        case .status(let line):
            return Self.statusLine(line)
        case .watchdog:
            return "WATCHDOG=1"
        case .stopping:
            return "STOPPING=1"
        case .reloading:
            var now = timespec()
            clock_gettime(CLOCK_MONOTONIC, &now)
            let microseconds = UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
            return "RELOADING=1\nMONOTONIC_USEC=\(microseconds)"
        }
    }

    /// A newline would start a new assignment: the status stays on one line.
    private static func statusLine(_ line: String) -> String {
        "STATUS=" + line.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
