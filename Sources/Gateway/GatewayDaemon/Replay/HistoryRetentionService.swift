import Configuration
import HistoryStore
import Logging
import Prometheus
import ServiceLifecycle

/// Deletes `flight_changes` and `rejected_frames` rows older than their `[housekeeping]`
/// retention (`history_retention_days`, `rejected_frames_retention_days`; 0 keeps forever) in
/// small batches, then reads the tables' sizes for `/metrics`: soon after start, then every
/// `interval`. On a connection of its own (``RetentionStore``), so the pipeline's commits go on
/// while a round deletes.
struct HistoryRetentionService: Service {
    let store: RetentionStore
    /// Retention in days by table; 0 (kept forever) deletes nothing.
    let retentionDays: [RetainedTable: Int]
    let metrics: RetentionMetrics
    let logger: Logger
    var interval = Duration.seconds(600)

    init(store: RetentionStore, housekeeping: HousekeepingConfig, registry: PrometheusCollectorRegistry, logger: Logger) {
        self.store = store
        retentionDays = [
            .flightChanges: housekeeping.historyRetentionDays,
            .rejectedFrames: housekeeping.rejectedFramesRetentionDays,
        ]
        metrics = RetentionMetrics(registry: registry)
        self.logger = logger
        for (table, days) in retentionDays { metrics.retentionSeconds[table]?.set(Double(days) * 86_400) }
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var wait = Duration.seconds(5)
            var cutoffs: [RetainedTable: String] = [:]
            while (try? await Task.sleep(for: wait)) != nil {
                await round(after: &cutoffs)
                wait = interval
            }
        }
    }

    /// One retention round: each table's expired rows, then the sizes. `cutoffs` holds each
    /// table's last cutoff: a round reads only the rows that expired since the one before (the
    /// first after a start reads all).
    func round(after cutoffs: inout [RetainedTable: String]) async {
        do {
            for table in RetainedTable.allCases {
                guard let days = retentionDays[table], days > 0 else { continue }
                let deletion = try await store.deleteExpiredRows(
                    of: table, olderThanSeconds: Int64(days) * 86_400, notBefore: cutoffs[table])
                cutoffs[table] = deletion.cutoff
                let deleted = deletion.rows
                metrics.deletedRows[table]?.increment(by: Int64(deleted))
                if deleted > 0 {
                    logger.info(
                        "retention: rows past the retention window deleted",
                        metadata: ["table": "\(table.rawValue)", "rows": "\(deleted)", "retention_days": "\(days)"])
                }
            }
            for (table, bytes) in try await store.tableSizes() { metrics.tableBytes[table]?.set(Double(bytes)) }
        } catch is CancellationError {
            return
        } catch {
            logger.error(
                "retention: cannot delete expired history or rejected frames; trying again next round",
                metadata: ["error": "\(error)"])
        }
    }
}
