#if canImport(Glibc)
import Glibc
#endif

import Synchronization

/// The measurements the gateway takes on its hot paths (DESIGN.md §1 stages). Counters that
/// already live elsewhere (feed counters, pipeline progress) are read at scrape time instead.
public final class GatewayMetrics: Sendable {
    /// Frames per committed batch.
    public let batchFrames = Histogram(bounds: Histogram.batchSizes)
    /// Seconds one batch's transaction took, sent to committed.
    public let commitSeconds = Histogram(bounds: Histogram.latencySeconds)
    /// Seconds from a frame's receipt to the PUBACK of an event it caused.
    public let receiptToPubackSeconds = Histogram(bounds: Histogram.latencySeconds)
    /// Seconds from handing a message to the broker to its PUBACK.
    public let publishSeconds = Histogram(bounds: Histogram.latencySeconds)
    private let brokerReconnects = Atomic<Int64>(0)
    private let publishRefusals = Atomic<Int64>(0)

    public init() {}

    /// The broker connection came back after being lost.
    public func brokerReconnected() { brokerReconnects.add(1, ordering: .relaxed) }
    /// The broker refused a publish (PUBACK reason 0x80 or more: its ACL, a quota).
    public func publishRefused() { publishRefusals.add(1, ordering: .relaxed) }

    public var brokerReconnectCount: Int64 { brokerReconnects.load(ordering: .relaxed) }
    public var publishRefusalCount: Int64 { publishRefusals.load(ordering: .relaxed) }
}

/// A monotonic clock reading in nanoseconds, for latencies.
public func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
