import Channels
import Configuration
import FlightModel
import NotificationRules
import NotificationText
import RelayStore

/// Turns the rules' plan for one subscription into the store's terms: the passenger's new view,
/// the topics whose pending deliveries are withdrawn (superseded, or a gate that went back),
/// and one rendered delivery per enabled contact point of each notification.
struct DeliveryPlanner: Sendable {
    let settings: RulesSettings
    let renderer: NotificationRenderer
    let links: LinkSigner

    init(rules: RelayRulesConfig, links: LinkSigner) {
        settings = RulesSettings(
            delayThresholdMinutes: rules.delayThresholdMinutes, delayStepMinutes: rules.delayStepMinutes,
            gateHoldSeconds: rules.gateHoldSeconds, gateWindowHours: rules.gateWindowHours,
            budgetCapacity: rules.rateLimitBurst ?? rules.rateLimitPerHour, budgetRefillPerHour: rules.rateLimitPerHour)
        renderer = NotificationRenderer()
        self.links = links
    }

    func plan(_ event: RelayEvent, for match: SubscriptionMatch, now: Timestamp) throws -> SubscriptionPlan {
        let view = try match.view.map { try PassengerView(json: Array($0.utf8)) } ?? PassengerView()
        let preferences = SubscriptionPreferences(
            kinds: Set(match.kinds.compactMap(EventKind.init(rawValue:))), locale: match.locale, timeZone: match.timeZone,
            quietHours: match.quietFrom.flatMap { from in match.quietTo.flatMap { QuietHours(fromMinute: from, toMinute: $0) } })
        // An event stamped ahead of the relay's clock (clock skew; a simulated day running faster
        // than real time) is planned at its own time, and its due times are then moved back by
        // the difference: a gate held 2 minutes leaves 2 minutes after the relay took it.
        let planningTime = max(now, event.occurredAt)
        let ahead = planningTime.millisecondsSinceEpoch - now.millisecondsSinceEpoch
        let plan = NotificationPlanner.plan(
            event: event, preferences: preferences, view: view, now: planningTime, settings: settings)

        // By id: a notification already due (told, for the rules) but not yet sent stays.
        var withdrawn = Set(plan.cancellations.map(\.id))
        for notification in plan.notifications {
            if let superseded = notification.supersedes { withdrawn.insert(superseded) }
        }
        let context = RenderContext(
            locale: match.locale, timeZone: match.timeZone, manageURL: links.manageURL(match.id),
            unsubscribeURL: links.unsubscribeURL(match.id))
        var deliveries: [PlannedDelivery] = []
        for notification in plan.notifications {
            let rendered = renderer.render(notification, context: context)
            let json = String(decoding: notification.json, as: UTF8.self)
            for contact in match.contacts {
                // Stable across retries and replays: the same event, subscription and channel.
                let deliveryID = "\(notification.eventID).\(match.id.prefix(8)).\(contact.point.channel.rawValue)"
                deliveries.append(
                    PlannedDelivery(
                        contact: contact, notificationID: notification.id, topic: notification.topic.rawValue, kind: notification.eventKind.rawValue,
                        dueAt: Double(notification.dueAt.millisecondsSinceEpoch - ahead) / 1000,
                        message: rendered.message(deliveryID: deliveryID, channel: contact.point.channel),
                        notification: json))
            }
        }
        return SubscriptionPlan(
            view: String(decoding: plan.view.json, as: UTF8.self), withdrawn: withdrawn.sorted(), deliveries: deliveries)
    }
}
