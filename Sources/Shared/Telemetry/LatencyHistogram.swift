import Prometheus
import Synchronization

/// A Prometheus histogram of durations, recorded on the hot path (two per acknowledged
/// message) and written out at scrape time in the text that swift-prometheus writes for its
/// own (the same bucket bounds, `+Inf`, `_sum` and `_count`).
///
/// swift-prometheus's histogram takes its lock and compares the value with every bucket's
/// bound, as a `Duration`, to count it into each bucket it falls under: ~420 instructions a
/// value over the gateway's 31 buckets (callgrind). This one finds the value's bucket by a
/// binary search over integer nanoseconds, counts it there alone, and adds the buckets up
/// when it is scraped.
public final class LatencyHistogram: Sendable {
    /// The family's name, e.g. `flightedge_publish_seconds`.
    public let name: String
    /// The `# HELP` text.
    public let help: String
    /// The buckets' upper bounds, nanoseconds, ascending.
    private let bounds: [Int64]
    private let state: Mutex<State>

    private struct State {
        /// Values in each bucket alone (not cumulative); the last slot is above every bound.
        var counts: [Int]
        var sumNanoseconds: Int64 = 0
    }

    /// An empty histogram with these bucket bounds (sorted and made unique here).
    public init(name: String, help: String, buckets: [Duration]) {
        self.name = name
        self.help = help
        let bounds = Array(Set(buckets.map(Self.nanoseconds))).sorted()
        self.bounds = bounds
        state = Mutex(State(counts: [Int](repeating: 0, count: bounds.count + 1)))
    }

    /// Counts one duration of `nanoseconds`; a negative one (a clock stepped back) as 0, which
    /// also keeps the sum writable (swift-prometheus traps on a negative sum).
    public func recordNanoseconds(_ nanoseconds: Int64) {
        let nanoseconds = max(0, nanoseconds)
        // The first bound at or above the value: Prometheus buckets are "less or equal".
        var low = 0
        var high = bounds.count
        while low < high {
            let middle = (low + high) / 2
            if bounds[middle] < nanoseconds { low = middle + 1 } else { high = middle }
        }
        state.withLock { state in
            state.counts[low] += 1
            state.sumNanoseconds &+= nanoseconds
        }
    }

    /// The family in the Prometheus text format (version 0.0.4): `# HELP`, `# TYPE`, the
    /// cumulative buckets, `+Inf`, `_sum` and `_count`.
    public func emit(into buffer: inout [UInt8]) {
        let (counts, sum) = state.withLock { ($0.counts, $0.sumNanoseconds) }
        append("# HELP \(name) \(Self.escapedHelp(help))\n", to: &buffer)
        append("# TYPE \(name) histogram\n", to: &buffer)
        var cumulative = 0
        for (index, bound) in bounds.enumerated() {
            cumulative += counts[index]
            append("\(name)_bucket{le=\"\(Duration.nanoseconds(bound).bucketRepresentation)\"} \(cumulative)\n", to: &buffer)
        }
        cumulative += counts[bounds.count]
        append("\(name)_bucket{le=\"+Inf\"} \(cumulative)\n", to: &buffer)
        append("\(name)_sum \(Duration.nanoseconds(sum).bucketRepresentation)\n", to: &buffer)
        append("\(name)_count \(cumulative)\n", to: &buffer)
    }

    private func append(_ text: String, to buffer: inout [UInt8]) {
        buffer.append(contentsOf: text.utf8)
    }

    /// `# HELP` text escapes backslashes and line feeds.
    private static func escapedHelp(_ help: String) -> String {
        help.replacing("\\", with: "\\\\").replacing("\n", with: "\\n")
    }

    private static func nanoseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
