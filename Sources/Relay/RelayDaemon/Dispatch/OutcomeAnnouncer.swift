import Logging
import RelayStore
import Synchronization

/// Tells the passenger pages of every instance whose deliveries the dispatcher's group commits
/// changed, after those commits, on a connection of its own (``RelayStore/announceDeliveries(of:)``).
///
/// Why not the trigger on `deliveries`, as for every other change: `NOTIFY` takes a database-wide
/// lock at commit and holds it through the commit's WAL flush, so every outcome commit of every
/// instance took turns on it (a tenth to a sixth of the outcome connections' busy time in the
/// benchmark's profile, docs/PERFORMANCE.md). Here the announcement is a transaction of its own
/// that does not wait for the flush, and no outcome commit waits for it. What queues while one
/// is sent goes in the next, each subscription once, and the next waits ``pace`` after the last:
/// under load one announcement carries the group commits of those milliseconds. (One per commit,
/// a notification per delivery: 7,400 transactions and 40,000 notifications to every instance
/// for the benchmark's 40,000 e-mails.)
///
/// The cost: a page learns of a sent message a round trip later, and not at all when the
/// instance dies between the outcome's commit and the announcement (the page shows it at its
/// next change or reload; nothing is sent twice or lost, only a live update is).
final class OutcomeAnnouncer: Sendable {
    private let store: RelayStore
    private let logger: Logger
    private let waiting = Mutex(Set<String>())
    private let signal = DispatchSignal()
    private let pace: Duration

    /// `pace`: the least time between two announcements (a page learns of a sent message at
    /// most this much later).
    init(store: RelayStore, pace: Duration = .milliseconds(20), logger: Logger) {
        self.store = store
        self.pace = pace
        self.logger = logger
    }

    /// Queues the subscriptions of a committed group of outcomes; returns at once.
    func announce(_ subscriptions: some Sequence<String>) {
        waiting.withLock { $0.formUnion(subscriptions) }
        signal.wake()
    }

    /// Announces what queued, one transaction at a time, until cancelled.
    func run() async {
        while !Task.isCancelled {
            await signal.wait(timeout: .seconds(1))
            let subscriptions = waiting.withLock { waiting in
                defer { waiting.removeAll(keepingCapacity: true) }
                return Array(waiting)
            }
            guard !subscriptions.isEmpty else { continue }
            do {
                try await store.announceDeliveries(of: subscriptions)
            } catch is CancellationError {
                break
            } catch {
                logger.warning("cannot tell the passenger pages about sent messages", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: pace)
        }
    }
}
