/// What `check-config` (and a reload) found wrong with a file or URL a pull feed will read
/// when it starts: the feed, the key and what to do.
public struct PullFeedCheckError: Error, Sendable, CustomStringConvertible {
    /// The feed's `name`.
    public var feed: String
    /// The key in the feed's table, e.g. `password_file` or `urls[1]`.
    public var key: String
    public var message: String

    public init(feed: String, key: String, _ message: String) {
        self.feed = feed
        self.key = key
        self.message = message
    }

    public var description: String { "feed \(feed): \(key): \(message)" }
}
