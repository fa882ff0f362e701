import Channels
import CoreMetrics
import Foundation
import Logging
import RelayStore
import Synchronization
import Telemetry

/// Sends what is due: one loop per enabled channel claims due deliveries ahead of its sends,
/// sends each once through the channel (up to its concurrency limit at once), and records the
/// outcomes in group commits.
///
/// Exactly once across instances: a claim is a lease in the database (`FOR UPDATE SKIP LOCKED`),
/// so no two instances hold the same delivery; an instance that dies mid-send leaves the lease to
/// run out, and another instance tries again (the one window where a message can go twice: the
/// provider accepted it but the outcome was not committed; docs/RELAY.md says how rare that is).
final class Dispatcher: Sendable {
    struct Settings: Sendable {
        var instance: String
        var leaseSeconds: Int
        var concurrency: Int
        var retry: RetrySchedule
        /// How often a loop looks for work when nothing woke it (other instances' deliveries,
        /// retries falling due).
        var pollInterval: Duration = .milliseconds(500)
        /// The per-recipient rate limit applied while claiming; nil sends everything due.
        var recipientLimit: RecipientLimit? = nil
    }

    private let store: RelayStore
    private let channels: [any NotificationChannel]
    private let settings: Settings
    private let metrics: RelayMetrics
    private let logger: Logger
    private let signals: [ChannelKind: DispatchSignal]
    private let outcomes: OutcomeBatcher
    private let announcer: OutcomeAnnouncer

    /// `outcomeStore`: the connection outcomes are committed on (default: `store`'s). A second
    /// connection lets a group commit run while the loops claim. The passenger pages are told
    /// of the outcomes on a third (``OutcomeAnnouncer``).
    init(
        store: RelayStore, outcomeStore: RelayStore? = nil, channels: [any NotificationChannel], settings: Settings,
        metrics: RelayMetrics, logger: Logger
    ) {
        self.store = store
        self.channels = channels
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
        signals = Dictionary(uniqueKeysWithValues: channels.map { ($0.kind, DispatchSignal()) })
        announcer = OutcomeAnnouncer(store: (outcomeStore ?? store).sibling(role: "dispatch announce"), logger: logger)
        outcomes = OutcomeBatcher(store: outcomeStore ?? store, instance: settings.instance, announcer: announcer, logger: logger)
    }

    /// New deliveries were committed: every loop looks now.
    func wake() {
        for signal in signals.values { signal.wake() }
    }

    /// Runs every channel's loop until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            group.addTask { await self.announcer.run() }
            for channel in channels {
                group.addTask { await self.loop(channel) }
            }
        }
    }

    /// Claimed deliveries one channel may hold that are not yet recorded, per send slot
    /// (`[dispatch] concurrency`).
    static let outstandingPerSlot = 4

    /// One channel's loop: at most `concurrency` sends at the provider at once (``SendSlots``),
    /// and up to ``outstandingPerSlot`` times as many deliveries claimed and not yet recorded:
    /// waiting for a slot, being sent, or waiting for their outcome's group commit.
    ///
    /// Why: a slot held until its outcome was committed spent 3 ms sending and 12–25 ms waiting
    /// for commits (each waits for a WAL flush, 2–3 ms on this machine; outcome commits took
    /// turns on `NOTIFY`'s lock until ``OutcomeAnnouncer``), and a claim made only once slots
    /// were free let claim, send and commit take turns: 2,000 deliveries/s with two instances. Claimed ahead, the next
    /// claim runs while sends and commits do; with more outcomes waiting, each commit carries
    /// more of them. The crash window is as long as before (the provider's answer to our commit)
    /// but holds more messages under load: up to `concurrency × outstandingPerSlot` per channel.
    private func loop(_ channel: any NotificationChannel) async {
        guard let work = signals[channel.kind] else { return }
        let concurrency = settings.concurrency
        let slots = SendSlots(limit: concurrency)
        let outstanding = InFlight(limit: concurrency * Self.outstandingPerSlot)
        let room = DispatchSignal()
        // Under load a claim takes as many as there are send slots or more: one claim transaction
        // (three round trips, a commit) serves a slot's worth of sends, not one. A quarter of that
        // cost FCM 20 % more PostgreSQL CPU per delivery; the outstanding limit keeps three
        // batches ahead of the sends meanwhile.
        let batch = concurrency
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let free = outstanding.free
                let claimed: [ClaimedDelivery]
                do {
                    claimed = try await claim(free, on: channel.kind)
                } catch is CancellationError {
                    break
                } catch {
                    logger.error("cannot claim deliveries", metadata: ["channel": "\(channel.kind)", "error": "\(error)"])
                    claimed = []
                }
                for delivery in claimed {
                    outstanding.take()
                    group.addTask {
                        await slots.acquire()
                        // Stopping: a delivery that waited for a slot is not sent; its lease runs out.
                        if !Task.isCancelled {
                            let outcome = await self.attempt(delivery, on: channel)
                            slots.release()
                            await self.record(delivery, outcome, channel: channel.kind)
                        } else {
                            slots.release()
                        }
                        // The loop waits for room for a whole batch: wake it once, when there is,
                        // not after every delivery (each wake-up is a wait with a timer and two
                        // tasks). A wake-up while it is not waiting is kept for its next wait.
                        if outstanding.give() == batch { room.wake() }
                    }
                }
                if claimed.count < free {
                    // Nothing more is due: wait for the intake's wake-up (or the poll).
                    await work.wait(timeout: settings.pollInterval)
                } else {
                    // A full claim: more may be due. Claim again once there is room for a batch.
                    while outstanding.free < batch, !Task.isCancelled {
                        await room.wait(timeout: settings.pollInterval)
                    }
                }
            }
        }
    }

    private func claim(_ limit: Int, on channel: ChannelKind) async throws -> [ClaimedDelivery] {
        guard limit > 0 else { return [] }
        if let recipientLimit = settings.recipientLimit {
            return try await store.claimDue(
                limit: limit, channel: channel, instance: settings.instance, leaseSeconds: settings.leaseSeconds,
                recipientLimit: recipientLimit)
        }
        return try await store.claimDue(
            limit: limit, channel: channel, instance: settings.instance, leaseSeconds: settings.leaseSeconds)
    }

    private func attempt(_ delivery: ClaimedDelivery, on channel: any NotificationChannel) async -> DeliveryOutcome {
        do {
            if let lostSince = delivery.lostSince, let lookup = channel as? any AcceptanceLookup,
                let providerID = try await adoptLostAttempt(delivery, since: lostSince, lookup: lookup)
            {
                return .sent(providerID: providerID)
            }
            let acceptance = try await channel.send(delivery.message, to: delivery.contact.point)
            let latency = Date().timeIntervalSince1970 - delivery.occurredAt
            if latency >= 0 { metrics.deliveryLatency.recordNanoseconds(Int64(latency * 1e9)) }
            return .sent(providerID: acceptance.providerID)
        } catch {
            let decision = settings.retry.outcome(after: error, attempts: delivery.attempts, jitter: Double.random(in: 0.5...1))
            logger.warning(
                "delivery attempt failed",
                metadata: [
                    "delivery": "\(delivery.id)", "channel": "\(channel.kind)", "attempt": "\(delivery.attempts)",
                    "error": "\(error)", "decision": "\(decision)",
                ])
            switch decision {
            case .retry(let after): return .retry(afterSeconds: after, error: error.description)
            case .failed(let dead): return .failed(error: error.description, dead: dead)
            case .contactGone: return .contactGone(error: error.description)
            }
        }
    }

    /// How far before a lost lease's start a provider's clock may put the message it took
    /// (Twilio's `date_created` is in whole seconds).
    static let providerClockSlack = 2.0
    /// How far the provider's clock may run ahead of the database's.
    static let providerClockSkew = 1.0

    /// A delivery that once lost an attempt's outcome, on a channel whose provider lists what it
    /// took: the provider id of the lost attempt's message, recorded as sent (the group commit
    /// that follows finds nothing left to change), or nil when it never arrived. Throws when the
    /// provider or the database cannot say: the delivery waits and looks again, never sends blind.
    private func adoptLostAttempt(
        _ delivery: ClaimedDelivery, since lostSince: Double, lookup: any AcceptanceLookup
    ) async throws(ChannelFailure) -> String? {
        // The lost attempt's message was made while its lease lasted (instances share
        // `[dispatch] lease_seconds`). Not later: a message of the same words that a live instance
        // sent since is its own delivery's, and may not be recorded yet.
        let copies = try await lookup.acceptedCopies(
            of: delivery.message, to: delivery.contact.point, since: lostSince - Self.providerClockSlack,
            until: lostSince + Double(settings.leaseSeconds) + Self.providerClockSkew)
        guard !copies.isEmpty else { return nil }
        do {
            let adopted = try await store.adoptLostAttempt(delivery, candidates: copies, instance: settings.instance)
            if let adopted {
                metrics.lostAttemptFound(channel: lookup.kind.rawValue)
                logger.notice(
                    "a lost attempt had reached the provider: recorded, not sent again",
                    metadata: ["delivery": "\(delivery.id)", "channel": "\(lookup.kind)", "provider_id": "\(adopted)"])
            }
            return adopted
        } catch {
            throw ChannelFailure(.retry(afterSeconds: nil), "cannot record the lost attempt found at the provider: \(error)")
        }
    }

    private func record(_ delivery: ClaimedDelivery, _ outcome: DeliveryOutcome, channel: ChannelKind) async {
        let name =
            switch outcome {
            case .sent: "sent"
            case .retry: "retry"
            case .failed(_, let dead): dead ? "dead" : "failed"
            case .contactGone: "contact_gone"
            }
        metrics.attemptEnded(channel: channel.rawValue, outcome: name)
        // In a group commit with the outcomes that came meanwhile. Waits out a database outage:
        // the lease keeps the delivery ours meanwhile (and when it runs out first, the attempt is
        // repeated: at least once, never lost).
        await outcomes.record(delivery, outcome)
    }
}

/// Counts one channel's claimed deliveries not yet recorded against its limit. An atomic, not
/// an actor: it is taken and given once per delivery, and an actor made each of those a hop.
private final class InFlight: Sendable {
    private let limit: Int
    private let count = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = limit
    }

    var free: Int { limit - count.load(ordering: .acquiring) }
    func take() { count.wrappingAdd(1, ordering: .acquiringAndReleasing) }
    /// Returns the room left after it.
    func give() -> Int { limit - count.wrappingSubtract(1, ordering: .acquiringAndReleasing).newValue }
}

