import Channels

/// The message that asks the owner of a subscription made on the public page to confirm it: a
/// link to their personal page, where the confirm button is. In the subscription's language.
enum ConfirmationMessage {
    static func make(subscription id: String, flight: String, date: String, locale: String, links: LinkSigner, channel: ChannelKind)
        -> OutgoingMessage
    {
        let manage = links.confirmURL(id)
        let e = HTMLText.escape
        let subject: String
        let text: String
        let html: String
        if locale == "de" {
            subject = "Bitte bestätigen: Meldungen zu \(flight) am \(date)"
            text = """
                Jemand (hoffentlich Sie) möchte über Flug \(flight) am \(date) informiert werden.
                Bitte bestätigen Sie hier: \(manage)
                Waren Sie es nicht, ignorieren Sie diese Nachricht: Es wird nichts gesendet.
                """
            html = """
                <p>Jemand (hoffentlich Sie) möchte über Flug <strong>\(e(flight))</strong> am \(e(date)) informiert werden.</p>
                <p><a href="\(e(manage))">Meldungen bestätigen</a></p>
                <p>Waren Sie es nicht, ignorieren Sie diese Nachricht: Es wird nichts gesendet.</p>
                """
        } else {
            subject = "Confirm your alerts for \(flight) on \(date)"
            text = """
                Someone (we hope you) asked to be told about flight \(flight) on \(date).
                Confirm here: \(manage)
                If it was not you, ignore this message: nothing will be sent.
                """
            html = """
                <p>Someone (we hope you) asked to be told about flight <strong>\(e(flight))</strong> on \(e(date)).</p>
                <p><a href="\(e(manage))">Confirm my alerts</a></p>
                <p>If it was not you, ignore this message: nothing will be sent.</p>
                """
        }
        return OutgoingMessage(
            deliveryID: "confirm.\(id)", replaceKey: "confirm-\(id.prefix(8))", subject: subject,
            text: channel == .email ? text : "\(subject): \(manage)", html: channel == .email ? html : nil, link: manage,
            unsubscribeURL: links.unsubscribeURL(id), urgency: .normal, timeToLiveSeconds: 24 * 3600, locale: locale)
    }
}
