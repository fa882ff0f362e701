import Prometheus
import Telemetry
import Testing

/// The gateway's own latency histogram must read, scraped, exactly as swift-prometheus's
/// histogram of the same buckets and values did: dashboards and alerts keep their queries.
@Suite struct LatencyHistogramTests {
    static let buckets: [Duration] = GatewayMetrics.latencySeconds.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }

    /// swift-prometheus's exposition of the same values, as the gateway wrote it before.
    static func reference(_ values: [Int64]) -> String {
        let registry = PrometheusCollectorRegistry()
        let histogram = registry.makeDurationHistogram(
            descriptor: MetricNameDescriptor(metricName: "flightedge_publish", unitName: "seconds", helpText: "Handing over to PUBACK."),
            labels: [], buckets: buckets)
        for value in values { histogram.recordNanoseconds(value) }
        var text: [UInt8] = []
        registry.emit(into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    static func ours(_ values: [Int64]) -> String {
        let histogram = LatencyHistogram(name: "flightedge_publish_seconds", help: "Handing over to PUBACK.", buckets: buckets)
        for value in values { histogram.recordNanoseconds(value) }
        var text: [UInt8] = []
        histogram.emit(into: &text)
        return String(decoding: text, as: UTF8.self)
    }

    @Test func readsAsSwiftPrometheusHistogramOfTheSameValues() {
        var random = SystemRandomNumberGenerator()
        // Every bound exactly (a bucket counts values up to and including its bound), one
        // nanosecond either side, nothing, zero, and far past the last bound.
        let bounds = Self.buckets.map { Int64($0.components.seconds) * 1_000_000_000 + $0.components.attoseconds / 1_000_000_000 }
        let edges = bounds.flatMap { [$0 - 1, $0, $0 + 1] }
        let spread = (0..<5_000).map { _ in Int64.random(in: 0...90_000_000_000, using: &random) }
        for values in [[], [0], [0, 1], edges, spread, edges + spread + [Int64.max / 4]] {
            #expect(Self.ours(values) == Self.reference(values), "\(values.count) values")
        }
        // A clock stepped back counts as 0, where swift-prometheus's scrape would trap.
        #expect(Self.ours([-5, 3]) == Self.reference([0, 3]))
    }

    @Test func countsConcurrentRecordsOnce() async {
        let histogram = LatencyHistogram(name: "x_seconds", help: "x", buckets: Self.buckets)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for value in 0..<10_000 { histogram.recordNanoseconds(Int64(task * 10_000 + value) * 1_000) }
                }
            }
        }
        var text: [UInt8] = []
        histogram.emit(into: &text)
        let lines = String(decoding: text, as: UTF8.self).split(separator: "\n")
        #expect(lines.contains("x_seconds_count 40000"))
        #expect(lines.contains(#"x_seconds_bucket{le="+Inf"} 40000"#))
        // Values of 0 to 39,999 µs: those up to 1 ms are the first 1,001.
        #expect(lines.contains(#"x_seconds_bucket{le="0.001"} 1001"#))
    }
}
