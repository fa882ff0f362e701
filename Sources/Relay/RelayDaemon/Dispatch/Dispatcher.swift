import Channels
import CoreMetrics
import Foundation
import Logging
import RelayStore
import Telemetry

/// Sends what is due: one loop per enabled channel claims due deliveries (up to the channel's
/// concurrency limit), sends each once through the channel, and records the outcomes in batches.
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

    /// `outcomeStore`: the connection outcomes are committed on (default: `store`'s). A second
    /// connection lets a group commit run while the loops claim.
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
        outcomes = OutcomeBatcher(store: outcomeStore ?? store, instance: settings.instance, logger: logger)
    }

    /// New deliveries were committed: every loop looks now.
    func wake() {
        for signal in signals.values { signal.wake() }
    }

    /// Runs every channel's loop until cancelled.
    func run() async {
        await withDiscardingTaskGroup { group in
            for channel in channels {
                group.addTask { await self.loop(channel) }
            }
        }
    }

    private func loop(_ channel: any NotificationChannel) async {
        guard let signal = signals[channel.kind] else { return }
        let inFlight = InFlight(limit: settings.concurrency)
        await withDiscardingTaskGroup { group in
            while !Task.isCancelled {
                let free = await inFlight.free
                var claimed: [ClaimedDelivery] = []
                if free > 0 {
                    do {
                        if let recipientLimit = settings.recipientLimit {
                            claimed = try await store.claimDue(
                                limit: free, channels: [channel.kind], instance: settings.instance,
                                leaseSeconds: settings.leaseSeconds, recipientLimit: recipientLimit)
                        } else {
                            claimed = try await store.claimDue(
                                limit: free, channels: [channel.kind], instance: settings.instance, leaseSeconds: settings.leaseSeconds)
                        }
                    } catch is CancellationError {
                        break
                    } catch {
                        logger.error("cannot claim deliveries", metadata: ["channel": "\(channel.kind)", "error": "\(error)"])
                    }
                }
                for delivery in claimed {
                    await inFlight.take()
                    group.addTask {
                        let outcome = await self.attempt(delivery, on: channel)
                        await self.record(delivery, outcome, channel: channel.kind)
                        await inFlight.give()
                        signal.wake()
                    }
                }
                if claimed.isEmpty || claimed.count < free {
                    // Nothing more is due: wait for the intake's wake-up (or the poll).
                    await signal.wait(timeout: settings.pollInterval)
                } else {
                    // A full claim: more may be due. Claim again once a quarter of the slots is
                    // free, so that under load a claim (a transaction) serves several sends, not one.
                    let threshold = max(1, settings.concurrency / 4)
                    while await inFlight.free < threshold, !Task.isCancelled {
                        await signal.wait(timeout: settings.pollInterval)
                    }
                }
            }
        }
    }

    private func attempt(_ delivery: ClaimedDelivery, on channel: any NotificationChannel) async -> DeliveryOutcome {
        do {
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

/// Counts messages in flight on one channel against its limit.
private actor InFlight {
    private let limit: Int
    private var count = 0

    init(limit: Int) {
        self.limit = limit
    }

    var free: Int { limit - count }
    func take() { count += 1 }
    func give() { count -= 1 }
}
