import Channels

/// When a failed attempt is tried again, and when a delivery gives up: exponential backoff with
/// full jitter from `initialSeconds`, capped at `maximumSeconds`, never sooner than the provider's
/// `Retry-After`; after `maxAttempts` tries the delivery is `dead`.
public struct RetrySchedule: Sendable {
    public var maxAttempts: Int
    public var initialSeconds: Double = 5
    public var maximumSeconds: Double = 600
    /// A channel whose credentials or setup are wrong will not heal in seconds.
    public var misconfiguredSeconds: Double = 60

    public init(maxAttempts: Int) {
        self.maxAttempts = maxAttempts
    }

    /// What to record for an attempt (number `attempts`, counting this one) that failed this way.
    /// `jitter` is in 0.5...1 (random in the daemon, fixed in tests).
    public func outcome(after failure: ChannelFailure, attempts: Int, jitter: Double) -> DeliveryDecision {
        switch failure.disposition {
        case .final:
            return .failed(dead: false)
        case .contactGone:
            return .contactGone
        case .retry(let providerSeconds):
            guard attempts < maxAttempts else { return .failed(dead: true) }
            let backoff = min(maximumSeconds, initialSeconds * Double(1 << min(attempts - 1, 20))) * jitter
            return .retry(afterSeconds: max(backoff, providerSeconds ?? 0))
        case .misconfigured:
            guard attempts < maxAttempts else { return .failed(dead: true) }
            return .retry(afterSeconds: max(misconfiguredSeconds, initialSeconds * Double(1 << min(attempts - 1, 20)) * jitter))
        }
    }

    /// What follows from one failed attempt.
    public enum DeliveryDecision: Sendable, Equatable {
        case retry(afterSeconds: Double)
        case failed(dead: Bool)
        case contactGone
    }
}
