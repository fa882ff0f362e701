#if canImport(Glibc)
import Glibc
#endif

/// When a message's batch passed each stage of the daemon's pipeline, in monotonic nanoseconds
/// (0: not recorded). Carried by each ``OutgoingMessage`` to its PUBACK, where a slow update is
/// told stage by stage (``SlowUpdateTrace``): where its time went, not a guess.
public struct PipelineStages: Sendable {
    /// The pipeline took the batch's first frames from the ingest queue.
    public var taken: UInt64 = 0
    /// Its first frames were decoded and merged.
    public var merged: UInt64 = 0
    /// The commit before it ended, and the frames that came meanwhile were merged too; the
    /// batch is rendered.
    public var prepared: UInt64 = 0
    /// Its commit started (the commit before it had ended).
    public var commitStarted: UInt64 = 0
    /// The writer took it up (after whatever else it was doing on its connection).
    public var writerStarted: UInt64 = 0
    /// PostgreSQL confirmed the commit.
    public var committed: UInt64 = 0
    /// The publishing stage handed its messages to the publisher.
    public var handedOver: UInt64 = 0

    public init() {}
}

/// The slow-update trace: `FLIGHTEDGE_TRACE_SLOW_MS=N` in the daemon's environment logs (at
/// notice) every batch whose first message took more than N ms from the frame's receipt to its
/// PUBACK, with the time spent in each stage. Off (0) unless set; costs a comparison per PUBACK.
public enum SlowUpdateTrace {
    /// The threshold in nanoseconds, 0 when the trace is off.
    public static let thresholdNanoseconds: UInt64 = {
        guard let text = getenv("FLIGHTEDGE_TRACE_SLOW_MS").map({ String(cString: $0) }), let milliseconds = Double(text),
            milliseconds > 0
        else { return 0 }
        return UInt64(milliseconds * 1e6)
    }()

    /// Microseconds from `start` to `end`, or "-" when either was not recorded.
    public static func span(_ start: UInt64, _ end: UInt64) -> String {
        guard start > 0, end >= start else { return "-" }
        return String((end - start) / 1000)
    }
}
