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
        deletedRows = Dictionary(
            uniqueKeysWithValues: RetainedTable.allCases.map { table in
                (
                    table,
                    registry.makeCounter(
                        descriptor: descriptor(
                            "flightedge_retention_deleted_rows_total",
                            "Rows deleted because they were older than the table's [housekeeping] retention."),
                        labels: [("table", table.rawValue)])
                )
            })
        retentionSeconds = Dictionary(
            uniqueKeysWithValues: RetainedTable.allCases.map { table in
                (
                    table,
                    registry.makeGauge(
                        descriptor: descriptor(
                            "flightedge_retention_seconds",
                            "How long the table's rows are kept ([housekeeping] *_retention_days; 0: forever)."),
                        labels: [("table", table.rawValue)])
                )
            })
        tableBytes = Dictionary(
            uniqueKeysWithValues: HistoryWriter.measuredTables.map { table in
                (
                    table,
                    registry.makeGauge(
                        descriptor: descriptor(
                            "flightedge_table_bytes",
                            "On-disk size of the table with its indexes and TOAST (pg_total_relation_size), as of the last retention round."),
                        labels: [("table", table)])
                )
            })
    }
}
