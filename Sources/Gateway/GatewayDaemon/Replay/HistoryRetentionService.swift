import Configuration
import HistoryStore
import Logging
import Prometheus
import ServiceLifecycle

/// Deletes `flight_changes` and `rejected_frames` rows older than their `[housekeeping]`
/// retention (`history_retention_days`, `rejected_frames_retention_days`; 0 keeps forever) in
/// small batches, then reads the tables' sizes for `/metrics`: soon after start, then every
/// `interval`.
struct HistoryRetentionService: Service {
    let writer: HistoryWriter
    /// Retention in days by table; 0 (kept forever) deletes nothing.
    let retentionDays: [RetainedTable: Int]
    let metrics: RetentionMetrics
    let logger: Logger
    var interval = Duration.seconds(600)

    init(writer: HistoryWriter, housekeeping: HousekeepingConfig, registry: PrometheusCollectorRegistry, logger: Logger) {
        self.writer = writer
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
            while (try? await Task.sleep(for: wait)) != nil {
                await round()
                wait = interval
            }
        }
    }

    /// One retention round: each table's expired rows, then the sizes.
    func round() async {
        do {
            for table in RetainedTable.allCases {
                guard let days = retentionDays[table], days > 0 else { continue }
                let deleted = try await writer.deleteExpiredRows(of: table, olderThanSeconds: Int64(days) * 86_400)
                metrics.deletedRows[table]?.increment(by: Int64(deleted))
                if deleted > 0 {
                    logger.info(
                        "retention: rows past the retention window deleted",
                        metadata: ["table": "\(table.rawValue)", "rows": "\(deleted)", "retention_days": "\(days)"])
                }
            }
            for (table, bytes) in try await writer.tableSizes() { metrics.tableBytes[table]?.set(Double(bytes)) }
        } catch is CancellationError {
            return
        } catch {
            logger.error(
                "retention: cannot delete expired history or rejected frames; trying again next round",
                metadata: ["error": "\(error)"])
        }
    }
}
