import CoreMetrics
import Prometheus

/// swift-metrics instruments whose Prometheus family carries a `# HELP` line.
///
/// `PrometheusMetricsFactory` makes every family with an empty help text, and the registry
/// refuses a second help text for a family it knows (a `fatalError`). So each family is made
/// here: the swift-prometheus metric with its help text is the handler of the swift-metrics
/// instrument, and the factory (over the same registry) is what `destroy()` unregisters it
/// from. Never make one of these names through the factory itself as well.
extension PrometheusMetricsFactory {
    /// A counter, `# TYPE name counter`.
    func counter(_ name: String, help: String, labels: [(String, String)] = []) -> CoreMetrics.Counter {
        let handler = registry.makeCounter(descriptor: Self.descriptor(name, help), labels: labels)
        return CoreMetrics.Counter(label: name, dimensions: labels, handler: handler, factory: self)
    }

    /// A value that is set, `# TYPE name gauge`.
    func meter(_ name: String, help: String, labels: [(String, String)] = []) -> Meter {
        let handler = registry.makeGauge(descriptor: Self.descriptor(name, help), labels: labels)
        return Meter(label: name, dimensions: labels, handler: handler, factory: self)
    }

    /// Durations, `# TYPE name histogram` with `le` in seconds.
    func timer(_ name: String, help: String, buckets: [Duration]) -> CoreMetrics.Timer {
        let handler = registry.makeDurationHistogram(descriptor: Self.descriptor(name, help), labels: [], buckets: buckets)
        return CoreMetrics.Timer(label: name, dimensions: [], handler: handler, factory: self)
    }

    /// Values, `# TYPE name histogram`.
    func recorder(_ name: String, help: String, buckets: [Double]) -> Recorder {
        let handler = registry.makeValueHistogram(descriptor: Self.descriptor(name, help), labels: [], buckets: buckets)
        return Recorder(label: name, dimensions: [], aggregate: true, handler: handler, factory: self)
    }

    private static func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
        // The whole name as `metricName`: empty parts are left out of the joined name.
        MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
    }
}
