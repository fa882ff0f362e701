import Configuration
import Synchronization

/// Who may take a `tcp-listen` feed's connection slots (issue 18: 500 idle connections from
/// one allowed host took all 64 and locked out 32 real senders).
///
/// * `max_connections` in all;
/// * `max_connections_per_peer` per peer address;
/// * slots kept per `allow` entry: with two or more entries, each keeps
///   `max_connections / (2 × entries)` slots that peers of the other entries cannot take, so a
///   flood from one network leaves room for the senders of the others.
public final class ConnectionSlots: Sendable {
    /// Why a connection is refused.
    public enum Refusal: Error, Sendable, Equatable, CustomStringConvertible {
        case overMaxConnections
        case overPerPeer
        case keptForOtherEntries

        public var description: String {
            switch self {
            case .overMaxConnections: "over max_connections"
            case .overPerPeer: "over max_connections_per_peer"
            case .keptForOtherEntries: "the free slots are kept for the other allow entries' senders"
            }
        }
    }

    public let maxConnections: Int
    public let maxPerPeer: Int
    /// Slots kept for each allow entry (0 with one entry).
    public let reserve: Int
    private let entries: Int
    private struct State {
        var open = 0
        var perPeer: [String: Int] = [:]
        var perEntry: [Int]
    }
    private let state: Mutex<State>
    /// Connections opened since start (numbers each connection for frame positions).
    private let opened = Atomic<Int>(0)

    public init(maxConnections: Int, maxPerPeer: Int, entries: Int) {
        self.maxConnections = maxConnections
        self.maxPerPeer = maxPerPeer
        self.entries = max(1, entries)
        reserve = entries > 1 ? maxConnections / (2 * entries) : 0
        state = Mutex(State(perEntry: Array(repeating: 0, count: max(1, entries))))
    }

    /// The slots of `feed`'s settings. The default `allow` (loopback, IPv4 and IPv6) is one
    /// place, not two: it keeps no slots apart.
    public convenience init(_ feed: FeedConfig) {
        self.init(
            maxConnections: feed.maxConnections, maxPerPeer: feed.maxConnectionsPerPeer,
            entries: feed.allow == FeedConfig.defaultAllow ? 1 : feed.allow.count)
    }

    /// Open connections now.
    public var open: Int { state.withLock { $0.open } }

    /// Takes a slot for `peer` of allow entry `entry` and returns the connection's number, or
    /// why it is refused. Every slot taken is given back with ``release(peer:entry:)``.
    public func take(peer: String, entry: Int) -> Result<Int, Refusal> {
        let entry = min(max(entry, 0), entries - 1)
        let refusal = state.withLock { state -> Refusal? in
            if state.open >= maxConnections { return .overMaxConnections }
            if state.perPeer[peer, default: 0] >= maxPerPeer { return .overPerPeer }
            var keptForOthers = 0
            for (index, count) in state.perEntry.enumerated() where index != entry { keptForOthers += max(0, reserve - count) }
            if state.open + keptForOthers >= maxConnections { return .keptForOtherEntries }
            state.open += 1
            state.perPeer[peer, default: 0] += 1
            state.perEntry[entry] += 1
            return nil
        }
        if let refusal { return .failure(refusal) }
        return .success(opened.add(1, ordering: .relaxed).newValue)
    }

    /// Gives back a slot ``take(peer:entry:)`` gave.
    public func release(peer: String, entry: Int) {
        let entry = min(max(entry, 0), entries - 1)
        state.withLock { state in
            state.open -= 1
            state.perEntry[entry] -= 1
            let left = state.perPeer[peer, default: 1] - 1
            state.perPeer[peer] = left > 0 ? left : nil
        }
    }
}
