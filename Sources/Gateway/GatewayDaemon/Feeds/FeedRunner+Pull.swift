import Configuration
import FeedFormats
import FeedIngest
import Foundation

/// The pull transports (DESIGN.md "Pull transports"): each one's reader, started like the others.
/// A pull feed counts as up (`openConnections` > 0) while its last fetch succeeded.
extension FeedRunner {
    func runPull(_ feed: FeedConfig, sink: FrameSink, positions: FeedPositions) async throws {
        switch feed.transport {
        case .httpPoll:
            let isAIDX = feed.format == .aidx
            let wait: @Sendable ([UInt8]) -> Duration? = { isAIDX ? AIDXResponseWarnings.requestedWait(in: $0) : nil }
            try await HTTPPollFeed(config: feed, sink: sink, logger: logger, requestedWait: wait).run()
        case .amqp:
            // The digest of its last committed message: its checkpoint's file_name.
            try await AMQPQueueFeed(
                config: feed, sink: sink, logger: logger, resumingAfter: positions.spoolPositions[feed.name]?.file
            ).run()
        case .sqlPoll:
            // The roster sets `timezone` (FeedRoster.makeFeed); the resume value of the feed's last
            // committed row is its checkpoint's file_name (the `.poll` position's tag).
            let zone = TimeZone(identifier: feed.options["timezone"]?.string ?? "UTC") ?? .gmt
            try await SQLPollFeed(
                config: feed, sink: sink, logger: logger, zone: zone, resumingAfter: positions.spoolPositions[feed.name]?.file
            ).run()
        case .tcpConnect, .tcpListen, .spoolDir, .tailFile:
            preconditionFailure("runPull is for pull transports, not \(feed.transport.rawValue)")
        }
    }
}

/// A pull transport this build cannot run yet.
struct PullFeedUnavailable: Error, CustomStringConvertible {
    var transport: FeedTransport
    var description: String { "transport \"\(transport.rawValue)\" is not available in this build" }
}
