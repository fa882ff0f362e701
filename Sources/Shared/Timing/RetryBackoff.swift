/// Capped exponential backoff with full jitter, for reconnecting to a database, a broker or a
/// feed: the n-th wait is a random duration in `[0.5, 1] × min(maximum, initial × 2ⁿ)`.
public struct RetryBackoff: Sendable {
    /// The ceiling of the first wait.
    public var initial: Duration
    /// The largest ceiling, however many attempts failed.
    public var maximum: Duration
    private var attempt = 0

    /// A backoff from `initial`, doubling up to `maximum`.
    public init(initial: Duration = .milliseconds(200), maximum: Duration = .seconds(30)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The wait before the next attempt; each call doubles the ceiling up to `maximum`.
    public mutating func nextDelay() -> Duration {
        let factor = 1 << min(attempt, 20)
        attempt += 1
        let ceiling = min(maximum, initial * factor)
        return ceiling * Double.random(in: 0.5...1.0)
    }

    /// Forget past failures after a success.
    public mutating func reset() { attempt = 0 }

    /// How many attempts failed since the last reset.
    public var failures: Int { attempt }
}
