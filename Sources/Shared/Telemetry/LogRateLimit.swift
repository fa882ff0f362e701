import Synchronization

/// Keeps one repeated log line from flooding the log (issue 18: a client refused ~400 times a
/// second wrote ~400 lines a second). Lines are grouped by level and message (the metadata,
/// such as a peer's address, may vary); in each window the first `burst` of a group are
/// written and the rest counted, and once the window is over one summary says how many were
/// suppressed. Shared by every copy of a ``ConsoleLogHandler`` (handlers are values).
public final class LogRateLimit: Sendable {
    /// A summary to write: `count` lines of `message` at `level` were suppressed.
    public struct Summary: Sendable, Equatable {
        public var level: String
        public var message: String
        public var count: Int
    }

    public let burst: Int
    public let windowNanoseconds: UInt64
    /// Groups tracked at most: beyond, new groups are written unlimited (never lost).
    private let maxGroups = 1_000
    private struct Group {
        var windowStart: UInt64
        var written: Int
        var suppressed: Int
    }
    private let state = Mutex<(groups: [String: Group], lastSweep: UInt64)>(([:], 0))

    /// The process's limit: 10 lines per message per 10 s.
    public static let shared = LogRateLimit()

    public init(burst: Int = 10, window: Duration = .seconds(10)) {
        self.burst = burst
        let parts = window.components
        windowNanoseconds = UInt64(parts.seconds) * 1_000_000_000 + UInt64(parts.attoseconds / 1_000_000_000)
    }

    /// Whether a line of `message` at `level` is written now (`now` in monotonic nanoseconds),
    /// and the summaries of groups whose window ended with lines suppressed.
    public func admit(level: String, message: String, now: UInt64) -> (write: Bool, summaries: [Summary]) {
        state.withLock { state in
            var summaries: [Summary] = []
            // Windows that ended: their summaries now, at most once a second.
            if now &- state.lastSweep >= 1_000_000_000 {
                state.lastSweep = now
                for (key, group) in state.groups where now &- group.windowStart >= windowNanoseconds {
                    if group.suppressed > 0 { summaries.append(Self.summary(key, group.suppressed)) }
                    state.groups.removeValue(forKey: key)
                }
            }
            let key = level + "\u{0}" + message
            guard var group = state.groups[key] else {
                if state.groups.count < maxGroups { state.groups[key] = Group(windowStart: now, written: 1, suppressed: 0) }
                return (true, summaries)
            }
            if now &- group.windowStart >= windowNanoseconds {
                if group.suppressed > 0 { summaries.append(Self.summary(key, group.suppressed)) }
                group = Group(windowStart: now, written: 0, suppressed: 0)
            }
            let write = group.written < burst
            if write { group.written += 1 } else { group.suppressed += 1 }
            state.groups[key] = group
            return (write, summaries)
        }
    }

    private static func summary(_ key: String, _ count: Int) -> Summary {
        let parts = key.split(separator: "\u{0}", maxSplits: 1, omittingEmptySubsequences: false)
        return Summary(level: String(parts[0]), message: parts.count > 1 ? String(parts[1]) : "", count: count)
    }
}
