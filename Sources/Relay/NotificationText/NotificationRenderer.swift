public import Channels
import FlightModel
import Mustache
public import NotificationRules

/// Renders planned notifications, digests and confirmations into the texts a passenger reads,
/// in English or German, with times in the subscriber's zone. Pure and cheap to copy: the
/// templates are parsed once per process.
public struct NotificationRenderer: Sendable {
    /// A renderer over the built-in templates.
    public init() {}

    /// The texts of one notification.
    public func render(_ notification: PlannedNotification, context: RenderContext) -> RenderedNotification {
        let language = Language(locale: context.locale)
        let templates = Self.templates(language)
        let clock = LocalClock(zone: context.timeZone, language: language)
        var values = Self.values(of: notification, templates: templates, clock: clock)
        let headline = templates.headline(notification.notice).render(values)
        values["headline"] = headline
        let subject = templates.subject.render(values)
        values["subject"] = subject
        Self.addLinks(context, to: &values)
        return RenderedNotification(
            subject: subject, text: templates.text.render(values),
            smsText: RenderedNotification.smsLine(headline), html: templates.html.render(values),
            link: context.manageURL, unsubscribeURL: context.unsubscribeURL, replaceKey: notification.replaceKey,
            urgency: notification.urgent ? .high : .normal,
            timeToLiveSeconds: notification.urgent ? 24 * 3600 : 6 * 3600,
            locale: language.rawValue)
    }

    /// One message for several notifications a recipient's rate limit held back (urgent ones
    /// first, then by due time). Its replace key is `digest`.
    public func renderDigest(_ notifications: [PlannedNotification], context: RenderContext) -> RenderedNotification {
        let language = Language(locale: context.locale)
        let templates = Self.templates(language)
        let clock = LocalClock(zone: context.timeZone, language: language)
        let ordered = notifications.sorted {
            ($0.urgent ? 0 : 1, $0.dueAt, $0.id) < ($1.urgent ? 0 : 1, $1.dueAt, $1.id)
        }
        var items: [[String: Any]] = []
        var headlines: [String] = []
        for notification in ordered {
            let values = Self.values(of: notification, templates: templates, clock: clock)
            let headline = templates.headline(notification.notice).render(values)
            headlines.append(headline)
            var item: [String: Any] = ["headline": headline]
            if let remark = notification.facts.remark { item["remark"] = remark }
            items.append(item)
        }
        var values: [String: Any] = ["count": ordered.count, "items": items]
        let subject = templates.digestSubject.render(values)
        values["subject"] = subject
        Self.addLinks(context, to: &values)
        let urgent = ordered.contains { $0.urgent }
        return RenderedNotification(
            subject: subject, text: templates.digestText.render(values),
            smsText: RenderedNotification.smsLine(headlines.joined(separator: " | ")),
            html: templates.digestHTML.render(values), link: context.manageURL, unsubscribeURL: context.unsubscribeURL,
            replaceKey: "digest", urgency: urgent ? .high : .normal, timeToLiveSeconds: 6 * 3600,
            locale: language.rawValue)
    }

    /// The message a subscription made on the public page sends before it is active: "confirm
    /// your subscription: <link>". `flightDate` is `yyyy-MM-dd`. Its SMS form is not shortened
    /// (the link must stay whole); its replace key is `confirmation`.
    public func renderConfirmation(
        airline: String, number: String, flightDate: String, confirmURL: String, context: RenderContext
    ) -> RenderedNotification {
        let language = Language(locale: context.locale)
        let templates = Self.templates(language)
        let clock = LocalClock(zone: context.timeZone, language: language)
        var values: [String: Any] = [
            "flight": "\(airline) \(number)", "date": clock.date(flightDate), "confirmURL": confirmURL,
        ]
        let subject = templates.confirmationSubject.render(values)
        values["subject"] = subject
        let text = templates.confirmationText.render(values)
        return RenderedNotification(
            subject: subject, text: text,
            smsText: text.split(whereSeparator: \.isNewline).first.map(String.init) ?? text,
            html: templates.confirmationHTML.render(values), link: confirmURL, unsubscribeURL: nil,
            replaceKey: "confirmation", urgency: .normal, timeToLiveSeconds: 24 * 3600, locale: language.rawValue)
    }

    /// Renders one notification straight into a delivery's message.
    public func message(
        for notification: PlannedNotification, deliveryID: String, channel: ChannelKind, context: RenderContext
    ) -> OutgoingMessage {
        render(notification, context: context).message(deliveryID: deliveryID, channel: channel)
    }

    static func templates(_ language: Language) -> CompiledTemplates {
        CompiledTemplates.all[language] ?? CompiledTemplates.english
    }

    /// The template values of a notification; absent facts stay absent (their sections vanish).
    static func values(of notification: PlannedNotification, templates: CompiledTemplates, clock: LocalClock)
        -> [String: Any]
    {
        let facts = notification.facts
        var values: [String: Any] = [
            "flight": facts.flightLabel, "date": clock.date(facts.date), "isDeparture": facts.direction == .departure,
            "title": templates.titles[notification.notice] ?? notification.notice.rawValue,
        ]
        let optional: [String: String?] = [
            "route": facts.route, "origin": facts.origin, "destination": facts.destination, "gate": facts.gate,
            "oldGate": facts.oldGate, "terminal": facts.terminal, "oldTerminal": facts.oldTerminal,
            "belt": facts.belt, "oldBelt": facts.oldBelt, "divertedTo": facts.divertedTo, "remark": facts.remark,
            "delayMinutes": facts.delayMinutes.map { String($0) },
            "scheduledTime": facts.scheduled.map(clock.time), "estimatedTime": facts.estimated.map(clock.time),
            "expectedTime": (facts.estimated ?? facts.scheduled).map(clock.time),
            "actualTime": facts.actual.map(clock.time),
        ]
        for (key, value) in optional {
            if let value, !value.isEmpty { values[key] = value }
        }
        return values
    }

    static func addLinks(_ context: RenderContext, to values: inout [String: Any]) {
        if let manage = context.manageURL { values["manageURL"] = manage }
        if let unsubscribe = context.unsubscribeURL { values["unsubscribeURL"] = unsubscribe }
    }
}
