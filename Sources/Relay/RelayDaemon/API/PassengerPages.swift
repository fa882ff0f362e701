import Channels
import HTTPTypes
import Hummingbird
import NIOCore
import RelayStore

/// The passenger's pages behind signed links: the personal page (what they subscribed to, a
/// confirm button while unconfirmed, the timeline of what was sent, unsubscribe) and the
/// unsubscribe pages. Plain HTML that works without JavaScript; every stored value escaped.
enum PassengerPages {
    static func manage(_ record: SubscriptionRecord, deliveries: [DeliveryRecord], links: LinkSigner) -> Response {
        let e = HTMLText.escape
        let flight = "\(record.airline) \(record.number) · \(record.flightDate)"
        var body = "<h1>Your flight alerts</h1>\n<p class=\"flight\">\(e(flight))</p>\n"
        switch record.state {
        case "unconfirmed":
            body += """
                <form method="post" action="/manage/\(e(record.id))/confirm?token=\(e(links.token(.manage, subscription: record.id)))">
                <p>Please confirm that you want these alerts.</p>
                <button type="submit" data-action="confirm">Confirm my alerts</button>
                </form>\n
                """
        case "unsubscribed":
            body += "<p class=\"state\" data-state=\"unsubscribed\">You are unsubscribed: nothing more will be sent.</p>\n"
        default:
            body += "<p class=\"state\" data-state=\"active\">Alerts are on.</p>\n"
        }
        body += "<h2>What you get</h2>\n<ul>\n"
        for kind in record.kinds { body += "<li>\(e(kind))</li>\n" }
        body += "</ul>\n<h2>Where</h2>\n<ul>\n"
        for (contact, disabled) in record.contacts {
            let address: String =
                switch contact.point {
                case .email(address: let address): address
                case .sms(number: let number): number
                case .fcm: "app notifications"
                case .webpush: "browser notifications"
                }
            body += "<li>\(e(contact.point.channel.rawValue)): \(e(address))\(disabled.map { " (off: \(e($0)))" } ?? "")</li>\n"
        }
        body += "</ul>\n<h2>Sent so far</h2>\n"
        if deliveries.isEmpty {
            body += "<p>Nothing yet.</p>\n"
        } else {
            body += "<ol class=\"timeline\">\n"
            for delivery in deliveries {
                body += """
                    <li data-event-kind="\(e(delivery.kind))" data-state="\(e(delivery.state))"><time>\(e(delivery.sentAt ?? delivery.dueAt))</time> \
                    <span class="channel">\(e(delivery.channel))</span> \(e(delivery.subject)) <span class="delivery-state">\(e(delivery.state))</span></li>\n
                    """
            }
            body += "</ol>\n"
        }
        if record.state != "unsubscribed" {
            body += """
                <form method="post" action="/unsubscribe/\(e(record.id))?token=\(e(links.token(.unsubscribe, subscription: record.id)))">
                <button type="submit" data-action="unsubscribe">Unsubscribe</button>
                </form>\n
                """
        }
        return page(.ok, title: "Your flight alerts", body: body)
    }

    static func unsubscribeForm(id: String, token: String) -> Response {
        let e = HTMLText.escape
        return page(
            .ok, title: "Unsubscribe",
            body: """
                <h1>Unsubscribe</h1>
                <form method="post" action="/unsubscribe/\(e(id))?token=\(e(token))">
                <button type="submit" data-action="unsubscribe">Stop these flight alerts</button>
                </form>
                """)
    }

    static func unsubscribed() -> Response {
        page(.ok, title: "Unsubscribed", body: "<h1>Unsubscribed</h1>\n<p>You will get no more alerts for this flight.</p>")
    }

    static func notFound() -> Response {
        page(
            .notFound, title: "Link not valid",
            body: "<h1>This link is not valid</h1>\n<p>It may be incomplete. Open the link from your latest message again.</p>")
    }

    static func page(_ status: HTTPResponse.Status, title: String, body: String) -> Response {
        let html = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTMLText.escape(title)) · FlightEdge</title>
            <style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.5;color:#111}
            button{font-size:1rem;padding:.6rem 1rem;border-radius:.4rem;border:1px solid #333;background:#0b4;color:#fff}
            button[data-action=unsubscribe]{background:#fff;color:#a00;border-color:#a00}
            .timeline li{margin:.4rem 0}.channel{font-weight:600}</style></head>
            <body>
            \(body)
            </body></html>
            """
        return Response(
            status: status,
            headers: [
                .contentType: "text/html; charset=utf-8", .cacheControl: "no-store",
                .contentSecurityPolicy: "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'",
                HTTPField.Name("Referrer-Policy")!: "no-referrer",
            ],
            body: ResponseBody(byteBuffer: ByteBuffer(string: html)))
    }
}
