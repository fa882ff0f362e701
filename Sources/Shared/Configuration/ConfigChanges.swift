/// What a reload (`systemctl reload`, SIGHUP) changes: the feeds to stop, start and restart, and
/// the other sections that changed but only take effect at the next restart.
public struct ConfigChanges: Sendable, Equatable {
    /// Feeds in the new file only, in its order.
    public var added: [FeedConfig] = []
    /// Names of feeds in the old configuration only.
    public var removed: [String] = []
    /// Feeds in both whose settings differ, as the new file has them: each is stopped and
    /// started again with its new settings.
    public var changed: [FeedConfig] = []
    /// Names of feeds left exactly as they were: a reload does not touch them.
    public var unchanged: [String] = []
    /// Sections other than `[[feeds]]` that differ (`[mqtt]`, `[database]`…): a running daemon
    /// keeps its connections, so these wait for a restart.
    public var needRestart: [String] = []

    /// True when the feeds are the same.
    public var feedsUnchanged: Bool { added.isEmpty && removed.isEmpty && changed.isEmpty }

    /// Compares the running configuration with a newly loaded one.
    public init(from old: GatewayConfig, to new: GatewayConfig) {
        let oldFeeds = Dictionary(old.feeds.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let newNames = Set(new.feeds.map(\.name))
        for feed in new.feeds {
            switch oldFeeds[feed.name] {
            case nil: added.append(feed)
            case let previous? where previous != feed: changed.append(feed)
            default: unchanged.append(feed.name)
            }
        }
        removed = old.feeds.map(\.name).filter { !newNames.contains($0) }

        if old.airport != new.airport { needRestart.append("[airport]") }
        if old.database != new.database { needRestart.append("[database]") }
        if old.mqtt != new.mqtt { needRestart.append("[mqtt]") }
        if old.events != new.events { needRestart.append("[events]") }
        if old.http != new.http { needRestart.append("[http]") }
        if old.housekeeping != new.housekeeping { needRestart.append("[housekeeping]") }
        if old.boards != new.boards { needRestart.append("[boards]") }
    }

    /// One line for the log: `added 1 (gate-feed), removed 0, changed 1 (drop), unchanged 2`.
    public var summary: String {
        func list(_ names: [String]) -> String { names.isEmpty ? "\(names.count)" : "\(names.count) (\(names.joined(separator: ", ")))" }
        return "added \(list(added.map(\.name))), removed \(list(removed)), changed \(list(changed.map(\.name))), unchanged \(unchanged.count)"
    }
}
