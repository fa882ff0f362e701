import Channels
import FlightModel
import NotificationRules
import NotificationText
import RelayStore

extension DeliveryPlanner {
    /// The per-recipient rate limit the dispatcher applies while it claims (`[rules]`
    /// `rate_limit_per_hour`, `rate_limit_burst`): the rules' ``RecipientGate`` over the stored
    /// ``RecipientBudget``, and the digest rendered from the held notifications in the
    /// subscription's language, with its links.
    var recipientLimit: RecipientLimit {
        let settings = settings
        let renderer = renderer
        let links = links
        return RecipientLimit(
            decide: { stored, candidates, now in
                let instant = Timestamp(millisecondsSinceEpoch: Int64((now * 1000).rounded(.down)))
                var budget = settings.newBudget(at: instant)
                if let stored, let old = try? RecipientBudget(json: Array(stored.utf8)) {
                    // Settings changed since it was stored: the new size and rate, the tokens kept.
                    budget = RecipientBudget(
                        capacity: settings.budgetCapacity, refillPerHour: settings.budgetRefillPerHour, tokens: old.tokens,
                        refilledAt: old.refilledAt)
                }
                let verdicts = RecipientGate.decide(
                    candidates.map {
                        RecipientGate.Candidate(id: $0.id, urgent: $0.urgent, held: $0.held, firstAttempt: $0.firstAttempt)
                    }, budget: &budget, now: instant)
                return (
                    String(decoding: budget.json, as: UTF8.self),
                    verdicts.mapValues { verdict -> RecipientLimit.Verdict in
                        switch verdict {
                        case .send: .send
                        case .digest: .digest
                        case .hold(let until): .hold(until: Double(until.millisecondsSinceEpoch) / 1000)
                        }
                    }
                )
            },
            renderDigest: { request in
                var digest = NotificationDigest()
                for item in request.items {
                    guard let notification = try? PlannedNotification(json: Array(item.notification.utf8)) else { return nil }
                    digest.add(notification)
                }
                let context = RenderContext(
                    locale: request.locale, timeZone: request.timeZone, manageURL: links.manageURL(request.subscriptionID),
                    unsubscribeURL: links.unsubscribeURL(request.subscriptionID))
                return renderer.renderDigest(digest.items, context: context)
                    .message(deliveryID: request.deliveryID, channel: request.channel)
            })
    }
}
