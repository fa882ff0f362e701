import Configuration
import FeedFormats
import FeedIngest
import Synchronization

/// The feeds the daemon runs now, as a reload leaves them: each feed's settings, decoder and
/// counters, read by the pipeline, the status line, `/healthz` and `/metrics`.
final class FeedRoster: Sendable {
    struct Feed: Sendable {
        var config: FeedConfig
        var decoder: any FrameDecoder
        var counters: FeedCounters

        /// Can receive: a tcp-listen feed's port is bound, a tcp-connect feed is connected, a
        /// file feed's reader runs.
        var isUp: Bool {
            let snapshot = counters.snapshot
            switch config.transport {
            case .tcpConnect: return snapshot.openConnections > 0
            case .tcpListen: return snapshot.isListening
            case .spoolDir, .tailFile: return true
            case .httpPoll, .amqp, .sqlPoll: return snapshot.openConnections > 0
            }
        }
    }

    private struct State {
        var feeds: [Feed] = []
        /// Decoders of feeds a reload removed: frames they queued before are still decoded.
        var retiredDecoders: [String: any FrameDecoder] = [:]
        var lastReloadProblem: String?
    }

    private let state = Mutex(State())

    /// The feeds of `config`, each with its decoder set up (`check-config` has judged the options).
    init(config: GatewayConfig) throws {
        let feeds = try config.feeds.map { try Self.makeFeed($0, airport: config.airport) }
        state.withLock { $0.feeds = feeds }
    }

    static func makeFeed(_ config: FeedConfig, airport: AirportConfig, counters: FeedCounters? = nil) throws -> Feed {
        var config = config
        // A sql-poll feed converts timestamps with an offset to the zone its decoder reads local
        // times in: the airport's unless its options name one. Made explicit for its reader.
        if config.transport == .sqlPoll && config.options["timezone"] == nil {
            config.options["timezone"] = .string(airport.timezone)
        }
        return Feed(
            config: config, decoder: try DecoderCatalog.decoder(for: config, airport: airport),
            counters: counters ?? FeedCounters(feed: config.name))
    }

    /// The running feeds, in configuration order.
    var feeds: [Feed] { state.withLock { $0.feeds } }

    var configs: [FeedConfig] { feeds.map(\.config) }

    func counters(of feed: String) -> FeedCounters? {
        state.withLock { state in
            for index in state.feeds.indices where state.feeds[index].config.name == feed { return state.feeds[index].counters }
            return nil
        }
    }

    /// One feed's decoder (a retired one too: its last frames are still decoded).
    func decoder(of name: String) -> (any FrameDecoder)? {
        state.withLock { state in
            // By index: `first(where:)` copied each feed it looked at, settings and all (~700
            // instructions a frame, every frame of every feed asks).
            for index in state.feeds.indices where state.feeds[index].config.name == name {
                return state.feeds[index].decoder
            }
            return state.retiredDecoders[name]
        }
    }

    /// Each feed's decoder, retired ones included, for one batch.
    var decoders: [String: any FrameDecoder] {
        state.withLock { state in
            var decoders = state.retiredDecoders
            for feed in state.feeds { decoders[feed.config.name] = feed.decoder }
            return decoders
        }
    }

    /// Feed name → precedence, for the state engine.
    var precedence: [String: Int] {
        Dictionary(feeds.map { ($0.config.name, $0.config.precedence) }, uniquingKeysWith: { first, _ in first })
    }

    /// Replaces the roster with `feeds` (in the new configuration's order); the decoders of
    /// feeds that go are kept for frames already queued.
    func replace(with feeds: [Feed]) {
        state.withLock { state in
            for old in state.feeds where !feeds.contains(where: { $0.config.name == old.config.name }) {
                state.retiredDecoders[old.config.name] = old.decoder
            }
            state.feeds = feeds
        }
    }

    /// Why the last reload was refused or stayed incomplete; nil once one succeeds. Shown in
    /// the status line.
    var reloadProblem: String? { state.withLock { $0.lastReloadProblem } }

    /// The outcome of a reload: nil when it succeeded.
    func reloadEnded(problem: String?) {
        state.withLock { $0.lastReloadProblem = problem }
    }
}
