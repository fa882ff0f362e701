import Channels
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import RelayStore

/// The passenger's pages behind signed links: the personal page (the flight, live; what they
/// subscribed to; a confirm button while unconfirmed and opened from the confirmation message;
/// browser notifications; the timeline of what was sent, live; unsubscribe) and the unsubscribe
/// pages. Plain HTML whose forms work without JavaScript; every stored value escaped.
enum PassengerPages {
    /// What the personal page needs besides the subscription.
    struct ManageContext {
        var flights: [FlightRecord]
        var deliveries: [DeliveryRecord]
        /// The form token and the cookie to set with it.
        var csrf: String
        var setCookie: String?
        /// The confirm token of the link it was opened with, when valid (the confirmation message's link).
        var confirmToken: String?
        /// The VAPID public key, when Web Push is enabled.
        var applicationServerKey: String?
        var streamID: String
    }

    static func manage(_ record: SubscriptionRecord, _ page: ManageContext, links: LinkSigner) -> Response {
        let e = HTMLText.escape
        let manageToken = links.token(.manage, subscription: record.id)
        let flight = "\(record.airline) \(record.number)"
        var body = "<h1>Your alerts for \(e(flight))</h1>\n<p class=\"side\">\(e(FlightCard.longDate(record.flightDate)))</p>\n"
        body += "<div id=\"flights\" class=\"flights\">\n"
        for flight in page.flights { body += FlightCard.html(flight) + "\n" }
        if page.flights.isEmpty {
            body += "<p class=\"notice\" data-state=\"unknown-flight\">No news of this flight from the airports yet.</p>\n"
        }
        body += "</div>\n"
        let csrfField = "<input type=\"hidden\" name=\"csrf\" value=\"\(e(page.csrf))\">"
        switch record.state {
        case "unconfirmed":
            if let confirm = page.confirmToken {
                body += """
                    <form method="post" action="/manage/\(e(record.id))/confirm?token=\(e(manageToken))&amp;confirm=\(e(confirm))" class="confirm">
                    \(csrfField)
                    <p class="state" data-state="unconfirmed">Please confirm that you want these alerts.</p>
                    <button type="submit" data-action="confirm">Confirm my alerts</button>
                    </form>\n
                    """
            } else {
                body += """
                    <p class="state" data-state="unconfirmed">Almost done: we sent you a link to confirm. \
                    Open it to turn these alerts on; until then nothing is sent.</p>\n
                    """
            }
        case "unsubscribed":
            body += "<p class=\"state\" data-state=\"unsubscribed\">You are unsubscribed: nothing more will be sent.</p>\n"
        default:
            body += "<p class=\"state\" data-state=\"active\">Alerts are on.</p>\n"
        }
        body += "<section aria-labelledby=\"what\"><h2 id=\"what\">What you get</h2>\n<ul class=\"kinds\">\n"
        for kind in record.kinds {
            let label = PublicPage.kinds.first { $0.kind == kind }?.label ?? kind
            body += "<li data-kind=\"\(e(kind))\">\(e(label))</li>\n"
        }
        body += "</ul>\n"
        if let from = record.quietFrom, let to = record.quietTo {
            body += "<p class=\"quiet\">Quiet hours: \(clock(from))–\(clock(to)) (\(e(record.timeZone ?? "UTC"))).</p>\n"
        }
        body += "</section>\n<section aria-labelledby=\"where\"><h2 id=\"where\">Where</h2>\n<ul class=\"contacts\">\n"
        for (contact, disabled) in record.contacts {
            let address: String =
                switch contact.point {
                case .email(address: let address): address
                case .sms(number: let number): number
                case .fcm: "app notifications"
                case .webpush: "notifications in a browser"
                }
            body += "<li data-channel=\"\(e(contact.point.channel.rawValue))\">\(e(channelName(contact.point.channel))): \(e(address))"
            body += "\(disabled.map { " (off: \(e($0)))" } ?? "")</li>\n"
        }
        body += "</ul>\n"
        if let key = page.applicationServerKey, record.state != "unsubscribed" {
            body += """
                <div class="webpush" data-webpush-url="/manage/\(e(record.id))/webpush?token=\(e(manageToken))" \
                data-application-server-key="\(e(key))" data-csrf="\(e(page.csrf))" hidden>
                <button type="button" data-action="webpush">Notify me in this browser</button>
                <p class="hint" id="webpush-state" role="status"></p>
                </div>\n
                """
        }
        body += "</section>\n<section aria-labelledby=\"sent\"><h2 id=\"sent\">Sent so far</h2>\n"
        body += timeline(page.deliveries, timeZone: record.timeZone) + "\n</section>\n"
        if record.state != "unsubscribed" {
            body += """
                <form method="post" action="/unsubscribe/\(e(record.id))?token=\(e(links.token(.unsubscribe, subscription: record.id)))" class="unsubscribe">
                \(csrfField)
                <button type="submit" data-action="unsubscribe">Unsubscribe</button>
                </form>\n
                """
        }
        let attributes = """
            data-stream-url="/manage/\(e(record.id))/stream?token=\(e(manageToken))" data-last-event-id="\(e(page.streamID))" data-stream="offline"
            """
        return PassengerLayout.page(.ok, title: "Your alerts for \(flight)", body: body, bodyAttributes: attributes, setCookie: page.setCookie)
    }

    /// The list of what was sent, newest first: one `li[data-event-kind]` per delivery.
    static func timeline(_ deliveries: [DeliveryRecord], timeZone: String?) -> String {
        let e = HTMLText.escape
        guard !deliveries.isEmpty else { return "<ol class=\"timeline\" id=\"timeline\"><li class=\"empty\">Nothing yet.</li></ol>" }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = timeZone.flatMap(TimeZone.init(identifier:)) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = "d MMM HH:mm zzz"
        var html = "<ol class=\"timeline\" id=\"timeline\">\n"
        for delivery in deliveries {
            let stamp = delivery.sentAt ?? delivery.dueAt
            let shown = FlightCard.parse(stamp).map(formatter.string(from:)) ?? stamp
            html += """
                <li data-event-kind="\(e(delivery.kind))" data-state="\(e(delivery.state))"><time datetime="\(e(stamp))">\(e(shown))</time> \
                <span class="channel">\(e(channelName(ChannelKind(rawValue: delivery.channel))))</span> \
                <span class="subject">\(e(delivery.subject))</span> <span class="delivery-state">\(e(stateWords(delivery.state)))</span></li>\n
                """
        }
        return html + "</ol>"
    }

    static func unsubscribeForm(id: String, token: String, csrf: String, setCookie: String?) -> Response {
        let e = HTMLText.escape
        return PassengerLayout.page(
            .ok, title: "Unsubscribe",
            body: """
                <h1>Unsubscribe</h1>
                <form method="post" action="/unsubscribe/\(e(id))?token=\(e(token))">
                <input type="hidden" name="csrf" value="\(e(csrf))">
                <button type="submit" data-action="unsubscribe">Stop these flight alerts</button>
                </form>
                """, setCookie: setCookie)
    }

    static func unsubscribed() -> Response {
        PassengerLayout.page(.ok, title: "Unsubscribed", body: "<h1>Unsubscribed</h1>\n<p>You will get no more alerts for this flight.</p>")
    }

    static func notFound() -> Response {
        PassengerLayout.problem(
            .notFound, title: "This link is not valid",
            message: "It may be incomplete. Open the link from your latest message again.")
    }

    /// A post without a valid form token: another site's, or a page older than its cookie.
    static func forgedForm() -> Response {
        PassengerLayout.problem(
            .forbidden, title: "Please send the form again",
            message: "This form has expired or did not come from this site. Reload the page and send it again.", field: "csrf")
    }

    private static func clock(_ minutes: Int) -> String {
        String(format: "%02d:%02d", minutes / 60, minutes % 60)
    }

    private static func channelName(_ channel: ChannelKind?) -> String {
        switch channel {
        case .email: "E-mail"
        case .sms: "Text message"
        case .fcm: "App"
        case .webpush: "Browser"
        case nil: "Other"
        }
    }

    private static func stateWords(_ state: String) -> String {
        switch state {
        case "pending", "sending": "on its way"
        case "sent": "sent"
        case "delivered": "delivered"
        case "suppressed": "not sent (no longer news)"
        default: "could not be sent"
        }
    }
}
