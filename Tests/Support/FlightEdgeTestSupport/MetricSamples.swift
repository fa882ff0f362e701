/// The samples of a Prometheus text exposition (the daemon's `/metrics`), by name with labels
/// as the line starts: `flightedge_feed_frames_total{feed="aodb"}`.
public struct MetricSamples: Sendable {
    /// Every sample, `name{labels}` → value.
    public let values: [String: Double]

    /// Reads the sample lines of `text`, skipping comments and lines without a number.
    public init(prometheusText text: String) {
        var values: [String: Double] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            values[String(line[..<space])] = value
        }
        self.values = values
    }

    /// The value of `name` (with its labels), nil when absent.
    public subscript(_ name: String) -> Double? { values[name] }
}
