import HistoryStore
import Logging
import Prometheus
import ServiceLifecycle

/// Deletes published events once they are older than the retention window
/// (`[housekeeping] outbox_retention_days`): soon after start, then every minute. Until then
/// they answer replay requests. Unpublished events are never deleted.
struct OutboxRetentionService: Service {
    let writer: HistoryWriter
    let retentionDays: Int
    let metrics: ReplayMetrics
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var interval = Duration.seconds(5)
            while (try? await Task.sleep(for: interval)) != nil {
                await sweep()
                interval = .seconds(60)
            }
        }
    }

    func sweep() async {
        do {
            let deleted = try await writer.deletePublishedEvents(olderThanSeconds: Int64(retentionDays) * 86_400)
            metrics.expiredEvents.increment(by: Int64(deleted))
            if deleted > 0 {
                logger.info(
                    "outbox: published events past the retention window deleted",
                    metadata: ["events": "\(deleted)", "retention_days": "\(retentionDays)"])
            }
            metrics.lastStreamSeq.set(Double(try await writer.eventStreamBounds().lastAssigned))
        } catch is CancellationError {
            return
        } catch {
            logger.error("outbox retention: cannot delete expired events; trying again in a minute", metadata: ["error": "\(error)"])
        }
    }
}
