public import FlightModel

/// One recipient's rate limit: a token bucket that holds at most ``capacity`` tokens and gains
/// one every hour / ``refillPerHour``. A notification that finds it empty waits in the
/// recipient's ``NotificationDigest`` until ``nextTokenAt``, when the whole digest takes one token.
/// A value: the relay stores it per recipient (``json``) and takes from it in the same transaction
/// that marks a delivery as leaving.
public struct RecipientBudget: Sendable, Hashable {
    /// Most tokens held (the burst).
    public var capacity: Int
    /// Tokens gained per hour.
    public var refillPerHour: Int
    /// Tokens held as of ``refilledAt``.
    public private(set) var tokens: Int
    /// When ``tokens`` was last brought up to date (whole refill intervals only, so no fraction is lost).
    public private(set) var refilledAt: Timestamp

    /// A full bucket at `now`.
    public init(capacity: Int, refillPerHour: Int, now: Timestamp) {
        self.init(capacity: capacity, refillPerHour: refillPerHour, tokens: max(1, capacity), refilledAt: now)
    }

    /// A bucket as stored.
    public init(capacity: Int, refillPerHour: Int, tokens: Int, refilledAt: Timestamp) {
        self.capacity = max(1, capacity)
        self.refillPerHour = max(1, refillPerHour)
        self.tokens = min(max(0, tokens), self.capacity)
        self.refilledAt = refilledAt
    }

    /// Milliseconds between two tokens.
    var intervalMilliseconds: Int64 { max(1, 3_600_000 / Int64(refillPerHour)) }

    /// Takes a token at `now` if there is one: true means send now, false means fold into the digest.
    public mutating func take(now: Timestamp) -> Bool {
        refill(now: now)
        guard tokens > 0 else { return false }
        tokens -= 1
        return true
    }

    /// The first instant a ``take(now:)`` succeeds (``refilledAt`` or earlier: one is there already).
    public var nextTokenAt: Timestamp {
        tokens > 0
            ? refilledAt : Timestamp(millisecondsSinceEpoch: refilledAt.millisecondsSinceEpoch + intervalMilliseconds)
    }

    /// Tokens available at `now`, without taking one.
    public func available(at now: Timestamp) -> Int {
        var copy = self
        copy.refill(now: now)
        return copy.tokens
    }

    mutating func refill(now: Timestamp) {
        guard now > refilledAt else { return }
        if tokens >= capacity {
            refilledAt = now
            return
        }
        let intervals = (now.millisecondsSinceEpoch - refilledAt.millisecondsSinceEpoch) / intervalMilliseconds
        let gained = Int(clamping: intervals)
        tokens = min(capacity, tokens + gained)
        refilledAt =
            tokens >= capacity
            ? now
            : Timestamp(millisecondsSinceEpoch: refilledAt.millisecondsSinceEpoch + intervals * intervalMilliseconds)
    }
}
