import Channels
import FlightModel
import NotificationRules
import NotificationText
import Testing

@Suite struct NotificationTextTests {
    let renderer = NotificationRenderer()
    let zurich = RenderContext(
        locale: "en", timeZone: "Europe/Zurich", manageURL: "https://relay.example/s/abc?t=1&u=2",
        unsubscribeURL: "https://relay.example/u/abc")

    func facts(_ change: (inout NotificationFacts) -> Void = { _ in }) -> NotificationFacts {
        var facts = NotificationFacts(
            airline: "LX", number: "1234", date: "2026-11-24", direction: .departure, origin: "ZRH", destination: "LHR",
            scheduled: at("06:30"))
        change(&facts)
        return facts
    }

    func notification(_ notice: Notice, urgent: Bool = false, facts: NotificationFacts) -> PlannedNotification {
        PlannedNotification(
            id: "e1/x", eventID: "e1", eventKind: .gateChange, notice: notice, topic: .gate,
            flightID: "LX1234-20261124-D",
            occurredAt: at("05:00"), dueAt: at("05:02"), urgent: urgent, replaceKey: "LX1234-20261124-D_gate",
            facts: facts)
    }

    @Test func aGateChangeReadsWellInEveryForm() {
        let planned = notification(
            .gateChange,
            facts: facts {
                $0.oldGate = "A12"
                $0.gate = "B34"
                $0.terminal = "1"
            })
        let rendered = renderer.render(planned, context: zurich)
        #expect(rendered.subject == "LX 1234, 24 Nov 2026: gate change")
        #expect(rendered.smsText == "LX 1234 ZRH–LHR: gate changed from A12 to B34 (terminal 1).")
        #expect(rendered.text.hasPrefix(rendered.smsText + "\n"))
        #expect(rendered.text.contains("Scheduled: 07:30"))
        #expect(rendered.text.contains("Your notifications: https://relay.example/s/abc?t=1&u=2"))
        #expect(rendered.html.contains(#"<a href="https://relay.example/s/abc?t=1&amp;u=2">"#))
        #expect(rendered.link == "https://relay.example/s/abc?t=1&u=2")
        #expect(rendered.urgency == .normal)

        let sms = rendered.message(deliveryID: "d1", channel: .sms)
        #expect(sms.text == rendered.smsText && sms.html == nil)
        #expect(sms.replaceKey == "LX1234-20261124-D_gate")
        let email = renderer.message(for: planned, deliveryID: "d2", channel: .email, context: zurich)
        #expect(email.text == rendered.text && email.html == rendered.html)
        #expect(email.unsubscribeURL == "https://relay.example/u/abc")
        #expect(email.locale == "en")
    }

    @Test func timesAreShownInTheSubscribersZone() {
        let delay = notification(
            .delay,
            facts: facts {
                $0.delayMinutes = 75
                $0.estimated = at("07:45")
            })
        #expect(
            renderer.render(delay, context: zurich).smsText
                == "LX 1234 ZRH–LHR is delayed by 75 min, now departing 08:45.")
        let newYork = RenderContext(timeZone: "America/New_York")
        #expect(renderer.render(delay, context: newYork).smsText.hasSuffix("now departing 02:45."))
        #expect(renderer.render(delay, context: RenderContext()).smsText.hasSuffix("now departing 07:45 UTC."))
    }

    @Test func germanTexts() {
        let context = RenderContext(locale: "de-CH", timeZone: "Europe/Zurich")
        let delay = renderer.render(
            notification(
                .delay,
                facts: facts {
                    $0.delayMinutes = 45
                    $0.estimated = at("07:15")
                }), context: context)
        #expect(delay.smsText == "LX 1234 ZRH–LHR hat 45 Min. Verspätung, neue Abflugzeit 08:15.")
        #expect(delay.subject == "LX 1234, 24.11.2026: Verspätung")
        #expect(delay.locale == "de")
        let cancelled = renderer.render(notification(.cancellation, urgent: true, facts: facts()), context: context)
        #expect(cancelled.smsText == "LX 1234 ZRH–LHR am 24.11.2026 ist ANNULLIERT.")
        #expect(cancelled.urgency == .high)
        #expect(cancelled.html.contains(#"<html lang="de">"#))
    }

    @Test func anUnknownLocaleReadsEnglish() {
        let rendered = renderer.render(
            notification(.boarding, facts: facts { $0.gate = "B34" }), context: RenderContext(locale: "tlh"))
        #expect(rendered.smsText == "LX 1234: boarding now at gate B34.")
        #expect(rendered.locale == "en")
    }

    @Test func hostileTextArrivesInertInTheHTML() {
        let hostile = "<script>alert('x')</script> & \"more\""
        let planned = notification(
            .gateChange,
            facts: facts {
                $0.remark = hostile
                $0.gate = "<img src=x onerror=alert(1)>"
                $0.oldGate = "A12"
            })
        let rendered = renderer.render(planned, context: zurich)
        #expect(!rendered.html.contains("<script"))
        #expect(!rendered.html.contains("<img"))
        #expect(rendered.html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;"))
        #expect(rendered.text.contains("Remark: " + hostile), "plain text carries the text as it is")
        let digest = renderer.renderDigest([planned], context: zurich)
        #expect(!digest.html.contains("<script") && !digest.html.contains("<img"))
    }

    @Test func theSMSFormNeverExceeds160Characters() {
        let long = String(repeating: "Gate far away ", count: 20)
        let rendered = renderer.render(
            notification(
                .gateChange,
                facts: facts {
                    $0.gate = long
                    $0.oldGate = "A1"
                }), context: zurich)
        #expect(rendered.smsText.count == 160)
        #expect(rendered.smsText.hasSuffix("…"))
        #expect(!rendered.smsText.contains("\n"))
    }

    @Test(arguments: Notice.allCases)
    func everyNoticeRendersInEveryLanguage(notice: Notice) {
        let full = facts {
            $0.oldGate = "A12"
            $0.gate = "B34"
            $0.oldTerminal = "1"
            $0.terminal = "2"
            $0.delayMinutes = 40
            $0.estimated = at("07:10")
            $0.oldBelt = "3"
            $0.belt = "4"
            $0.divertedTo = "BSL"
            $0.actual = at("06:41")
        }
        for locale in ["en", "de"] {
            let rendered = renderer.render(
                notification(notice, facts: full), context: RenderContext(locale: locale, timeZone: "Europe/Zurich"))
            #expect(rendered.smsText.hasPrefix("LX 1234"))
            #expect(rendered.smsText.count <= 160)
            #expect(
                !rendered.smsText.contains("{{") && !rendered.html.contains("{{") && !rendered.subject.contains("{{"))
            #expect(!rendered.subject.hasSuffix(": "))
        }
    }

    @Test func theConfirmationCarriesItsLink() {
        let link = "https://relay.example/s/abc?confirm=1"
        let english = renderer.renderConfirmation(
            airline: "LX", number: "1234", flightDate: "2026-11-24", confirmURL: link, context: RenderContext())
        #expect(english.subject == "Confirm your subscription to LX 1234")
        #expect(english.smsText == "Confirm your subscription to updates for LX 1234 on 24 Nov 2026: \(link)")
        #expect(english.html.contains(#"<a href="https://relay.example/s/abc?confirm=1">"#))
        #expect(english.link == link)
        let german = renderer.renderConfirmation(
            airline: "LX", number: "1234", flightDate: "2026-11-24", confirmURL: link,
            context: RenderContext(locale: "de"))
        #expect(german.text.contains("Bestätigen Sie Ihr Abonnement") && german.text.contains(link))
    }
}
