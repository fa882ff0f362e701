import Synchronization

/// When the gateway may say `READY=1`: once the broker answered for the first time, every
/// `tcp-listen` feed is bound and the operations endpoint (`[http]`) listens, or never, when a feed cannot start or a stop comes first. Each
/// part reports in as it happens; ``wait()`` is woken by the last one, nothing polls.
final class StartupGate: Sendable {
    enum Outcome: Sendable {
        case ready
        /// A feed could not start (a port that cannot be bound).
        case failed(feed: String, error: any Error)
        /// Shutdown came first.
        case stopped
    }

    private struct State {
        var brokerConnected = false
        var listenersBound = 0
        var httpSettled = false
        var outcome: Outcome?
        var waiter: CheckedContinuation<Outcome, Never>?
    }

    private let listeners: Int
    private let state: Mutex<State>

    /// - Parameters:
    ///   - listeners: the `tcp-listen` feeds that must be bound.
    ///   - http: whether an operations endpoint must be listening first (a supervisor that probes
    ///     `/healthz` on `READY=1` must find it there).
    init(listeners: Int, http: Bool = false) {
        self.listeners = listeners
        self.state = Mutex(State(httpSettled: !http))
    }

    func brokerConnected() { update { $0.brokerConnected = true } }
    func listenerBound() { update { $0.listenersBound += 1 } }
    /// The operations endpoint listens, or could not (that is logged; it does not hold the gateway back).
    func httpSettled() { update { $0.httpSettled = true } }
    func feedFailed(_ feed: String, _ error: any Error) { update { $0.outcome = $0.outcome ?? .failed(feed: feed, error: error) } }
    func stop() { update { $0.outcome = $0.outcome ?? .stopped } }

    /// Waits for the outcome (at once when it is known).
    func wait() async -> Outcome {
        await withCheckedContinuation { continuation in
            let known = state.withLock { state -> Outcome? in
                if let outcome = state.outcome { return outcome }
                state.waiter = continuation
                return nil
            }
            if let known { continuation.resume(returning: known) }
        }
    }

    private func update(_ change: (inout State) -> Void) {
        let woken = state.withLock { state -> (CheckedContinuation<Outcome, Never>, Outcome)? in
            change(&state)
            if state.outcome == nil && state.brokerConnected && state.listenersBound >= listeners
                && state.httpSettled
            { state.outcome = .ready }
            guard let outcome = state.outcome, let waiter = state.waiter else { return nil }
            state.waiter = nil
            return (waiter, outcome)
        }
        if let (waiter, outcome) = woken { waiter.resume(returning: outcome) }
    }
}
