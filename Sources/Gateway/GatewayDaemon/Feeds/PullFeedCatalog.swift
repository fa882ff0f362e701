public import Configuration
public import FeedIngest

/// What each pull transport offers besides its reader (which ``FeedRunner`` starts): the check
/// of the files it will read, and one fetch for `flightedge poll-once`.
public enum PullFeedCatalog {
    /// Reads what `feed` will read when it starts (body, secret and CA files); throws what is
    /// wrong, naming the feed and the key. Push transports have nothing to check here.
    public static func check(_ feed: FeedConfig) throws {
        switch feed.transport {
        case .httpPoll: try HTTPPollClient.check(feed)
        case .amqp: try AMQPQueueFeed.check(feed)
        case .sqlPoll: try SQLPollFeed.check(feed)
        case .tcpConnect, .tcpListen, .spoolDir, .tailFile: break
        }
    }

    /// One fetch of `feed` that keeps nothing; throws for a transport that cannot do it.
    /// `sqlCursor` is the cursor a `sql-poll` feed binds (ignored by the others).
    public static func fetchOnce(
        _ feed: FeedConfig, sqlCursor: SQLPollOnce.Cursor = .start(reason: "no checkpoint read")
    ) throws -> any PullFetchOnce {
        switch feed.transport {
        case .httpPoll: return HTTPPollOnce(config: feed)
        case .amqp: return AMQPQueueOnce(config: feed)
        case .sqlPoll: return SQLPollOnce(config: feed, cursor: sqlCursor)
        case .tcpConnect, .tcpListen, .spoolDir, .tailFile: throw NotAPullFeed(feed: feed.name, transport: feed.transport)
        }
    }

    /// `poll-once` named a feed that receives instead of fetching.
    public struct NotAPullFeed: Error, CustomStringConvertible {
        public var feed: String
        public var transport: FeedTransport
        public var description: String {
            "feed \(feed) has transport \"\(transport.rawValue)\": it receives, it cannot be polled "
                + "(poll-once takes an http-poll, amqp or sql-poll feed)"
        }
    }
}
