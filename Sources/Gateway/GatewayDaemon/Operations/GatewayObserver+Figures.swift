import Configuration
import FeedIngest
import Telemetry

extension GatewayObserver {
    /// What `/metrics` shows: `snapshot`, and the pipeline's progress as it is now.
    func figures(_ snapshot: Snapshot) -> GatewayFigures {
        var figures = GatewayFigures()
        figures.feeds = snapshot.feeds.map { feed in
            var figures = GatewayFigures.Feed(
                name: feed.config.name, frames: feed.counters.frames, rejectedFrames: feed.counters.rejected,
                skippedBytes: feed.counters.skippedBytes, refusedConnections: feed.counters.refusedPeers,
                reconnects: feed.counters.reconnects, openConnections: feed.counters.openConnections, isUp: feed.isUp,
                silentSeconds: feed.silentSeconds, isStale: feed.isStale)
            figures.connectionSlots = feed.counters.connectionSlots
            if feed.config.transport.isPull { figures.pull = PullFigures(feed.counters.pull) }
            return figures
        }
        figures.committedFrames = progress.committedFrames
        figures.committedUpdates = progress.committedUpdates
        figures.derivedEvents = progress.derivedEvents
        figures.publishedMessages = snapshot.publishedMessages
        figures.pendingMessages = snapshot.pendingMessages
        figures.outboxRows = snapshot.outboxRows
        figures.outboxOldestAgeSeconds = snapshot.outboxOldestAgeSeconds
        figures.pipelineLagSeconds = Double(progress.lastLagMilliseconds) / 1000
        figures.databaseUp = snapshot.databaseUp
        figures.databaseOutages = Int64(snapshot.databaseOutages)
        figures.brokerUp = snapshot.brokerUp
        return figures
    }
}
