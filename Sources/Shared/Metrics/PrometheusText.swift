/// Writes the Prometheus text exposition format (version 0.0.4): `# HELP`, `# TYPE`, then one
/// line per sample, labels escaped.
public struct PrometheusText: Sendable {
    public private(set) var text = ""

    public init() {
        text.reserveCapacity(8192)
    }

    /// The `Content-Type` of the format.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    /// One counter family: a sample per label set.
    public mutating func counter(_ name: String, help: String, _ samples: [(labels: [(String, String)], value: Int64)]) {
        header(name, help: help, type: "counter")
        for sample in samples { line(name, sample.labels, String(sample.value)) }
    }

    /// A counter without labels.
    public mutating func counter(_ name: String, help: String, _ value: Int64) {
        counter(name, help: help, [([], value)])
    }

    /// One gauge family: a sample per label set.
    public mutating func gauge(_ name: String, help: String, _ samples: [(labels: [(String, String)], value: Double)]) {
        header(name, help: help, type: "gauge")
        for sample in samples { line(name, sample.labels, Self.format(sample.value)) }
    }

    /// A gauge without labels.
    public mutating func gauge(_ name: String, help: String, _ value: Double) {
        gauge(name, help: help, [([], value)])
    }

    /// A histogram: cumulative `_bucket` lines with `le`, then `_sum` and `_count`.
    public mutating func histogram(_ name: String, help: String, _ histogram: Histogram) {
        let snapshot = histogram.snapshot
        header(name, help: help, type: "histogram")
        var cumulative: UInt64 = 0
        for (index, count) in snapshot.counts.enumerated() {
            cumulative += count
            let bound = index < histogram.bounds.count ? Self.format(histogram.bounds[index]) : "+Inf"
            line(name + "_bucket", [("le", bound)], String(cumulative))
        }
        line(name + "_sum", [], Self.format(snapshot.sum))
        line(name + "_count", [], String(cumulative))
    }

    private mutating func header(_ name: String, help: String, type: String) {
        text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
    }

    private mutating func line(_ name: String, _ labels: [(String, String)], _ value: String) {
        text += name
        if !labels.isEmpty {
            text += "{"
            for (index, (key, labelValue)) in labels.enumerated() {
                if index > 0 { text += "," }
                text += key + "=\"" + Self.escape(labelValue) + "\""
            }
            text += "}"
        }
        text += " " + value + "\n"
    }

    static func escape(_ value: String) -> String {
        var escaped = ""
        for character in value {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Integers without a fraction; others as Swift prints a Double (`0.00025`, `1e-05`).
    public static func format(_ value: Double) -> String {
        if value.isNaN { return "NaN" }
        if value.isInfinite { return value > 0 ? "+Inf" : "-Inf" }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
        return String(value)
    }
}
