import HistoryStore
import Prometheus

/// `/metrics` of `[housekeeping]` retention beyond the outbox (``ReplayMetrics`` has that one):
/// the rows each table's retention deleted, and the on-disk size of the daemon's tables as of
/// the last retention round (read there, not on each scrape: `pg_total_relation_size` costs a
/// query per table).
final class RetentionMetrics: Sendable {
    /// Rows deleted by retention, by table.
    let deletedRows: [RetainedTable: Counter]
    /// `pg_total_relation_size`, by table name.
    let tableBytes: [String: Gauge]
    /// The retention window of each table, in seconds (0: kept forever).
    let retentionSeconds: [RetainedTable: Gauge]

    init(registry: PrometheusCollectorRegistry) {
        func descriptor(_ name: String, _ help: String) -> MetricNameDescriptor {
            MetricNameDescriptor(metricName: name, unitName: "", helpText: help)
        }
        // One metric of a family per table, labelled with the table's name.
        func perTable<Key: Hashable, Metric>(_ keys: [Key], _ label: (Key) -> String, _ make: ([(String, String)]) -> Metric) -> [Key: Metric] {
            Dictionary(uniqueKeysWithValues: keys.map { ($0, make([("table", label($0))])) })
        }
        let deleted = descriptor(
            "flightedge_retention_deleted_rows_total", "Rows deleted because they were older than the table's [housekeeping] retention.")
        let window = descriptor(
            "flightedge_retention_seconds", "How long the table's rows are kept ([housekeeping] *_retention_days; 0: forever).")
        let size = descriptor(
            "flightedge_table_bytes",
            "On-disk size of the table with its indexes and TOAST (pg_total_relation_size), as of the last retention round.")
        deletedRows = perTable(RetainedTable.allCases, \.rawValue) { registry.makeCounter(descriptor: deleted, labels: $0) }
        retentionSeconds = perTable(RetainedTable.allCases, \.rawValue) { registry.makeGauge(descriptor: window, labels: $0) }
        tableBytes = perTable(RetentionStore.measuredTables, { $0 }) { registry.makeGauge(descriptor: size, labels: $0) }
    }
}
