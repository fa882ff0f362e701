/// One airport's event stream as the relay sees it (issue #13): the highest `stream_seq` seen and
/// the holes below it. Pure: the store loads the airport's row and the one gap an event may fall
/// into, asks ``StreamLedger/step(highestSeen:containing:seq:now:)`` what changes, and writes it
/// in the intake's transaction.
///
/// The gateway numbers its events 1, 2, 3, … with no holes (RELAY.md), so a number past
/// `highestSeen + 1` opens a gap, and a number inside a gap fills it (splitting it in two, or
/// shrinking it). When a gap is asked for again is ``ReplayPolicy``'s business.
public enum StreamLedger {
    /// A hole `from...to` (inclusive) in one airport's stream.
    public struct Gap: Sendable, Equatable {
        public var from: Int64
        public var to: Int64
        /// When it opened, seconds since 1970 (pieces of a split gap keep it).
        public var openedAt: Double
        /// When it opened or an event last filled part of it: a replay under way keeps moving it.
        public var progressAt: Double
        /// Replay requests sent for it so far, and when the last went.
        public var requests: Int
        public var lastRequestAt: Double?

        public init(from: Int64, to: Int64, openedAt: Double, progressAt: Double? = nil, requests: Int = 0, lastRequestAt: Double? = nil) {
            self.from = from
            self.to = to
            self.openedAt = openedAt
            self.progressAt = progressAt ?? openedAt
            self.requests = requests
            self.lastRequestAt = lastRequestAt
        }

        /// How many events it misses.
        public var count: Int64 { to - from + 1 }
    }

    /// What one event changes.
    public struct Step: Sendable, Equatable {
        /// How the number relates to what was seen.
        public enum Kind: Sendable, Equatable {
            /// `highestSeen + 1`: the stream goes on.
            case next
            /// Past `highestSeen + 1`: a gap opened before it.
            case ahead
            /// Inside a gap: it filled (part of) it.
            case filled
            /// At or below `highestSeen` and in no gap: a number seen before under another
            /// `event_id` (a gateway whose database was re-created starts again at 1). Recorded,
            /// not tracked.
            case stale
        }

        public var kind: Kind
        public var highestSeen: Int64
        /// The gap to delete, by its `from`.
        public var removedGap: Int64?
        /// Gaps to insert: the new one, or what is left of the filled one.
        public var addedGaps: [Gap]

        public init(kind: Kind, highestSeen: Int64, removedGap: Int64?, addedGaps: [Gap]) {
            self.kind = kind
            self.highestSeen = highestSeen
            self.removedGap = removedGap
            self.addedGaps = addedGaps
        }
    }

    /// The change one event with number `seq` makes, given the airport's highest number seen
    /// (0 before any: the stream starts at 1) and the gap that contains `seq`, if any (`now`:
    /// seconds since 1970).
    public static func step(highestSeen: Int64, containing gap: Gap?, seq: Int64, now: Double) -> Step {
        if seq > highestSeen {
            guard seq > highestSeen + 1 else {
                return Step(kind: .next, highestSeen: seq, removedGap: nil, addedGaps: [])
            }
            let opened = Gap(from: highestSeen + 1, to: seq - 1, openedAt: now)
            return Step(kind: .ahead, highestSeen: seq, removedGap: nil, addedGaps: [opened])
        }
        guard let gap, gap.from <= seq, seq <= gap.to else {
            return Step(kind: .stale, highestSeen: highestSeen, removedGap: nil, addedGaps: [])
        }
        var rest: [Gap] = []
        var piece = gap
        piece.progressAt = max(gap.progressAt, now)
        if seq > gap.from {
            piece.to = seq - 1
            rest.append(piece)
            piece.to = gap.to
        }
        if seq < gap.to {
            piece.from = seq + 1
            rest.append(piece)
        }
        return Step(kind: .filled, highestSeen: highestSeen, removedGap: gap.from, addedGaps: rest)
    }

    /// The change an airport's word that its stream reached `head` makes (the `stream_seq` of
    /// its retained `status`): numbers past the highest seen are a gap, like the hole below an
    /// event that arrived ahead, except that `head` itself is missing too. Nil when nothing
    /// was missed (or the gateway started a new stream below what was seen).
    public static func announce(highestSeen: Int64, head: Int64, now: Double) -> Step? {
        guard head > highestSeen else { return nil }
        let opened = Gap(from: highestSeen + 1, to: head, openedAt: now)
        return Step(kind: .ahead, highestSeen: head, removedGap: nil, addedGaps: [opened])
    }

    /// The highest number below which nothing is missing: just below the first gap, or the
    /// highest seen when there is none.
    public static func highestContiguous(highestSeen: Int64, firstGapFrom: Int64?) -> Int64 {
        firstGapFrom.map { $0 - 1 } ?? highestSeen
    }
}

/// When the relay asks an airport to replay a gap (`[central] replay_after_seconds`,
/// `replay_backoff_max_seconds`): once it made no progress for ``replayAfter`` (two relay
/// instances commit out of order for milliseconds; a lost event never comes), then again with a
/// wait doubled per request, at most ``maximumBackoff``, for as long as it stays open.
public struct ReplayPolicy: Sendable, Equatable {
    public var replayAfter: Double
    public var maximumBackoff: Double

    public init(replayAfter: Double, maximumBackoff: Double) {
        self.replayAfter = replayAfter
        self.maximumBackoff = max(maximumBackoff, replayAfter)
    }

    /// The wait after the `requests`-th request before the next one.
    public func backoff(after requests: Int) -> Double {
        let factor = Double(1 << min(max(requests - 1, 0), 20))
        return min(replayAfter * factor, maximumBackoff)
    }

    /// True when a request for `gap` is due at `now`.
    public func isDue(_ gap: StreamLedger.Gap, now: Double) -> Bool {
        guard now >= gap.progressAt + replayAfter else { return false }
        guard let last = gap.lastRequestAt, gap.requests > 0 else { return true }
        return now >= last + backoff(after: gap.requests)
    }
}

/// An airport's health at the centre (`GET /v1/airports`): `offline` when its gateway said so
/// (a clean stop or its last will) or its bridge to the centre is down, else `silent` when
/// nothing (no event, no status) was heard for `silentAfter` seconds, else `gaps` when a hole
/// stayed open past the replay threshold, else `online`.
public enum AirportStatus: String, Sendable, CaseIterable {
    case online
    case silent
    case gaps
    case offline

    public static func of(
        lastHeardAt: Double, oldestGapProgressAt: Double?, now: Double, silentAfter: Double, replayAfter: Double,
        gateway: String? = nil, bridge: String? = nil
    ) -> AirportStatus {
        if gateway == "offline" || bridge == "disconnected" { return .offline }
        if now - lastHeardAt > silentAfter { return .silent }
        if let progress = oldestGapProgressAt, now - progress >= replayAfter { return .gaps }
        return .online
    }
}
