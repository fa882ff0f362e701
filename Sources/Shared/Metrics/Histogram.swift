import Synchronization

/// A Prometheus histogram: how many observations fell at or under each bucket's upper bound,
/// their count and sum. Observing takes one uncontended lock; reading takes a copy.
public final class Histogram: Sendable {
    /// Upper bounds, ascending; `+Inf` is implied.
    public let bounds: [Double]
    private let state: Mutex<Snapshot>

    /// What a histogram holds at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// Observations per bucket (not cumulative), the last one for `+Inf`.
        public var counts: [UInt64]
        public var sum: Double
        public var maximum: Double

        /// All observations.
        public var count: UInt64 { counts.reduce(0, +) }
    }

    public init(bounds: [Double]) {
        self.bounds = bounds.sorted()
        self.state = Mutex(Snapshot(counts: Array(repeating: 0, count: bounds.count + 1), sum: 0, maximum: 0))
    }

    /// Records one observation.
    public func observe(_ value: Double) {
        // Buckets are few; a linear scan beats a binary search at this size.
        var index = bounds.count
        for (position, bound) in bounds.enumerated() where value <= bound {
            index = position
            break
        }
        state.withLock { state in
            state.counts[index] += 1
            state.sum += value
            if value > state.maximum { state.maximum = value }
        }
    }

    /// A consistent copy.
    public var snapshot: Snapshot { state.withLock { $0 } }

    /// Seconds from 100 µs to 60 s, in 100 µs steps up to 1 ms where the latency targets sit.
    public static let latencySeconds: [Double] = [
        0.0001, 0.0002, 0.0003, 0.0004, 0.0005, 0.0006, 0.0007, 0.0008, 0.0009, 0.001, 0.00125, 0.0015, 0.00175,
        0.002, 0.0025, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60,
    ]

    /// Frames per batch, 1 to the batch limit.
    public static let batchSizes: [Double] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000]
}
