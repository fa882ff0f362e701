import Synchronization

/// Live counters of one feed, shared by its reader, the pipeline, `/metrics` and the
/// `feeds/{feed}/status` topic.
public final class FeedCounters: Sendable {
    public let feed: String
    private let frames = Atomic<Int64>(0)
    private let rejected = Atomic<Int64>(0)
    private let refused = Atomic<Int64>(0)
    private let connections = Atomic<Int>(0)
    private let lastFrameAt = Atomic<Int64>(0)
    private let reconnects = Atomic<Int64>(0)
    private let skipped = Atomic<Int64>(0)
    private let listening = Atomic<Bool>(false)
    private let slots = Atomic<Int>(0)
    private let frameTimeouts = Atomic<Int64>(0)
    /// Polls, unchanged answers, server-imposed waits: the pull transports' figures.
    public let pull = PullCounters()

    public init(feed: String) {
        self.feed = feed
    }

    func frameReceived(at milliseconds: Int64) {
        frames.add(1, ordering: .relaxed)
        lastFrameAt.store(milliseconds, ordering: .relaxed)
    }

    /// The pipeline rejected a frame of this feed.
    public func frameRejected() { rejected.add(1, ordering: .relaxed) }
    func peerRefused() { refused.add(1, ordering: .relaxed) }
    public func connectionOpened() { connections.add(1, ordering: .relaxed) }
    public func connectionClosed() { connections.subtract(1, ordering: .relaxed) }
    func reconnected() { reconnects.add(1, ordering: .relaxed) }
    func bytesSkipped(_ count: Int64) { skipped.add(count, ordering: .relaxed) }
    func setListening(_ value: Bool) { listening.store(value, ordering: .relaxed) }
    func setSlots(_ value: Int) { slots.store(value, ordering: .relaxed) }
    func frameTimedOut() { frameTimeouts.add(1, ordering: .relaxed) }

    /// A consistent-enough copy of the counters.
    public var snapshot: Snapshot {
        var snapshot = Snapshot(
            frames: frames.load(ordering: .relaxed), rejected: rejected.load(ordering: .relaxed),
            refusedPeers: refused.load(ordering: .relaxed), openConnections: connections.load(ordering: .relaxed),
            lastFrameAtMilliseconds: lastFrameAt.load(ordering: .relaxed), reconnects: reconnects.load(ordering: .relaxed),
            skippedBytes: skipped.load(ordering: .relaxed), isListening: listening.load(ordering: .relaxed),
            connectionSlots: slots.load(ordering: .relaxed), frameTimeouts: frameTimeouts.load(ordering: .relaxed))
        snapshot.pull = pull.snapshot
        return snapshot
    }

    public struct Snapshot: Sendable, Equatable {
        public var frames: Int64
        public var rejected: Int64
        public var refusedPeers: Int64
        public var openConnections: Int
        /// 0 when no frame arrived yet.
        public var lastFrameAtMilliseconds: Int64
        public var reconnects: Int64
        /// Bytes outside any frame (`stx-etx`), skipped.
        public var skippedBytes: Int64
        /// A `tcp-listen` feed's port is bound.
        public var isListening: Bool
        /// A listening `tcp-listen` feed's `max_connections` (0 otherwise).
        public var connectionSlots: Int = 0
        /// Connections closed for holding an unfinished frame past `frame_timeout`.
        public var frameTimeouts: Int64 = 0
        /// A pull feed's polls (all zero for the others).
        public var pull = PullCounters.Snapshot()
    }
}
