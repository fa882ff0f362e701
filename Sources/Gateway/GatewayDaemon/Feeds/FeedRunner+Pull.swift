import Configuration
import FeedFormats
import FeedIngest

/// The pull transports (DESIGN.md "Pull transports"): each one's reader, started like the others.
/// A pull feed counts as up (`openConnections` > 0) while its last fetch succeeded.
extension FeedRunner {
    func runPull(_ feed: FeedConfig, sink: FrameSink, positions: FeedPositions) async throws {
        switch feed.transport {
        case .httpPoll:
            let isAIDX = feed.format == .aidx
            let wait: @Sendable ([UInt8]) -> Duration? = { isAIDX ? AIDXResponseWarnings.requestedWait(in: $0) : nil }
            try await HTTPPollFeed(config: feed, sink: sink, logger: logger, requestedWait: wait).run()
        case .amqp, .sqlPoll:
            throw PullFeedUnavailable(transport: feed.transport)
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
