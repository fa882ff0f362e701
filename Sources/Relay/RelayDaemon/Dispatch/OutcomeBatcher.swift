import Logging
import RelayStore
import Synchronization

/// Records delivery outcomes in group commits: an outcome that arrives while a commit is under
/// way waits for it and goes with the others that queued meanwhile, in the next transaction (at
/// most ``maxBatch``). Nothing waits for a timer: a lone outcome is committed at once, as before;
/// under load one commit (one WAL flush, one round trip on the dispatcher's connection) carries
/// many.
///
/// Exactly once is unchanged: an outcome is committed by the instance that holds the lease, and
/// ``record(_:_:)`` returns only once it is. The crash window (provider accepted, outcome not yet
/// committed) grows from one commit to at most two: the commit in flight, then this one.
final class OutcomeBatcher: Sendable {
    private enum Role {
        /// A leader committed this outcome.
        case committed
        /// Commit this outcome and what queued meanwhile, then hand over.
        case lead
    }

    private struct Waiting {
        var delivery: ClaimedDelivery
        var outcome: DeliveryOutcome
        var resume: CheckedContinuation<Role, Never>
    }

    private struct State {
        var queue: [Waiting] = []
        var leading = false
    }

    private let store: RelayStore
    private let instance: String
    private let maxBatch: Int
    private let announcer: OutcomeAnnouncer?
    private let logger: Logger
    private let state = Mutex(State())
    private let transactions = Atomic<Int>(0)

    /// `announcer`: tells the passenger pages about each committed batch (the trigger on
    /// `deliveries` leaves outcomes to it; nil: nobody is told).
    init(store: RelayStore, instance: String, maxBatch: Int = 64, announcer: OutcomeAnnouncer? = nil, logger: Logger) {
        self.store = store
        self.instance = instance
        self.maxBatch = max(1, maxBatch)
        self.announcer = announcer
        self.logger = logger
    }

    /// Transactions this batcher committed or tried (one per group commit, one per outcome
    /// when a refused statement made it record a batch one by one).
    var commits: Int { transactions.load(ordering: .relaxed) }

    /// Returns when the outcome is committed (or could not be: then the lease runs out and the
    /// delivery is tried again, at least once and never lost).
    func record(_ delivery: ClaimedDelivery, _ outcome: DeliveryOutcome) async {
        let role = await withCheckedContinuation { (resume: CheckedContinuation<Role, Never>) in
            let lead = state.withLock { state in
                if state.leading {
                    state.queue.append(Waiting(delivery: delivery, outcome: outcome, resume: resume))
                    return false
                }
                state.leading = true
                return true
            }
            if lead { resume.resume(returning: .lead) }
        }
        guard role == .lead else { return }

        let others = state.withLock { state in
            let taken = Array(state.queue.prefix(maxBatch - 1))
            state.queue.removeFirst(taken.count)
            return taken
        }
        await commit([(delivery, outcome)] + others.map { ($0.delivery, $0.outcome) })
        for waiting in others { waiting.resume.resume(returning: .committed) }
        // The first of those that queued meanwhile leads the next commit (this send's slot is free now).
        let next = state.withLock { state -> Waiting? in
            guard !state.queue.isEmpty else {
                state.leading = false
                return nil
            }
            return state.queue.removeFirst()
        }
        next?.resume.resume(returning: .lead)
    }

    private func commit(_ outcomes: [(delivery: ClaimedDelivery, outcome: DeliveryOutcome)]) async {
        transactions.add(1, ordering: .relaxed)
        do {
            try await store.complete(outcomes, instance: instance)
            announcer?.announce(outcomes.map(\.delivery.subscriptionID))
        } catch {
            guard outcomes.count > 1 else {
                logger.error(
                    "cannot record a delivery's outcome", metadata: ["delivery": "\(outcomes[0].delivery.id)", "error": "\(error)"])
                return
            }
            // One refused statement rolls the batch back: record the rest one by one.
            for outcome in outcomes { await commit([outcome]) }
        }
    }
}
