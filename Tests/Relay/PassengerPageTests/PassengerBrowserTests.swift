import FlightEdgeTestSupport
import Foundation
import Testing

/// The passenger page in a real browser (Debian's headless Chromium through chromedriver's W3C
/// WebDriver API): look a simulated flight up, subscribe by e-mail with the page's own form,
/// confirm through the link the SMTP stand-in received, then a delay of 45 minutes shows on the
/// open personal page without a reload, is mailed, and is listed in its timeline; the page goes
/// offline when the relay dies and live again when it is back. Screenshots at
/// 1920×1080 and at a phone's 390×844 go to docs/images/passenger-*.png.
@Suite("Passenger page in a browser", .serialized)
struct PassengerBrowserTests {
    let images = Repository.root.appendingPathComponent("docs/images")

    @Test("look up, subscribe, confirm by the mailed link, and a delay arrives live, by mail and in the timeline")
    func subscribeConfirmAndFollowADelay() async throws {
        let smtp = try SMTPStandin.shared()
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(databaseURL: url, smtp: smtp, extra: try Self.webPushTable())
            try relay.start()
            defer { relay.stop() }
            var flight = SimulatedFlight()
            flight.departure = Date().addingTimeInterval(90 * 60)
            try flight.publish("gate-change", current: #"{"gate":"A12","terminal":"1","status":"check-in"}"#)
            let base = "http://127.0.0.1:\(relay.httpPort)"
            #expect(try eventually(within: 10) { try relay.request("GET", flight.lookupPath).status == 200 })

            let browser = try WebDriverSession(width: 1920, height: 1080)
            defer { browser.quit() }
            try browser.navigate(base + flight.lookupPath)
            #expect(try browser.waitUntil("return String(document.body.dataset.stream === 'live')", timeout: 10) != nil, "never live")
            let card = "[data-flight-id=\"\(flight.flightID)\"]"
            #expect(try browser.run("return document.querySelector('\(card) [data-field=\"gate\"]').textContent") == "A12")
            #expect(try browser.run("return document.querySelector('\(card) [data-field=\"status\"]').dataset.status") == "check-in")
            #expect(try browser.run("return document.documentElement.lang") == "en")
            let labelled = """
                return String(Array.prototype.every.call(
                  document.querySelectorAll('input:not([type=hidden]), select'),
                  function (i) { return i.type === 'checkbox' ? !!i.closest('label') : !!document.querySelector('label[for="' + i.id + '"]'); }));
                """
            #expect(try browser.run(labelled) == "true", "every field has its label")
            let size = try browser.screenshot(to: images.appendingPathComponent("passenger-flight.png"))
            #expect(size.width == 1920 && size.height == 1080)

            // Subscribe with the page's own form (a plain post): it leads to the personal page.
            let address = "browser.\(flight.number).\(UUID().uuidString.prefix(6).lowercased())@example.org"
            try browser.run(
                """
                var form = document.querySelector('form[data-form="subscribe"]');
                form.querySelector('input[name="email"]').value = '\(address)';
                form.querySelector('[data-action="subscribe"]').click();
                return '';
                """)
            #expect(try waitTolerant(browser, "return String(location.pathname.indexOf('/manage/') === 0 && document.readyState === 'complete')", timeout: 10), "the form did not lead to the personal page")
            #expect(try browser.run("return document.querySelector('[data-state]').dataset.state") == "unconfirmed")
            #expect(try browser.run("return String(document.querySelector('[data-action=\"confirm\"]') === null)") == "true")
            #expect(try browser.run("return document.querySelector('[data-time-zone], #time_zone') ? 'form' : 'page'") == "page")

            // The confirmation mail, exactly one, and its link opens the page with the button.
            #expect(try eventually(within: 15) { try smtp.received(for: address).count == 1 }, "no confirmation mail; relay log:\n\(relay.log)")
            let mail = try #require(try smtp.received(for: address).first)
            let link = try #require(mail.text?.url(containing: "confirm="))
            try browser.navigate(link)
            try browser.run("document.querySelector('[data-action=\"confirm\"]').click(); return ''")
            #expect(try waitTolerant(browser, "return String(!!document.querySelector('[data-state=\"active\"]') && document.body.dataset.stream === 'live')", timeout: 10), "not active and live after the confirm button")
            #expect(try browser.run("return String(location.search.indexOf('confirm=') < 0)") == "true")
            try browser.run("window.notReloaded = true; return ''")

            // A delay of 45 minutes: the status changes in the open page, the mail comes, the timeline lists it.
            let started = Date()
            try flight.publishDelay(45)
            let shown = try browser.waitUntil(
                "return String(document.querySelector('\(card) [data-field=\"status\"]').dataset.status === 'delayed')", timeout: 5)
            #expect(shown != nil, "the delay did not show without a reload")
            if shown != nil { print("passenger page: delay in the DOM \(Int(Date().timeIntervalSince(started) * 1000)) ms after its publish") }
            #expect(try browser.run("return document.querySelector('\(card) [data-field=\"estimated\"]').textContent").contains("+45 min"))
            #expect(try eventually(within: 15) { try smtp.received(for: address).count == 2 }, "no delay mail; relay log:\n\(relay.log)")
            let delayMail = try #require(try smtp.received(for: address).last)
            #expect(delayMail.subject.contains("\(flight.airline) \(flight.number)") || delayMail.subject.contains(flight.number))
            let listed = try browser.waitUntil(
                "return String(!!document.querySelector('#timeline [data-event-kind=\"delay\"][data-state=\"sent\"]'))", timeout: 10)
            #expect(listed != nil, "the timeline did not list the delay live")
            #expect(try browser.run("return document.querySelector('#timeline li').dataset.eventKind") == "delay", "newest first")
            #expect(try browser.run("return String(window.notReloaded === true)") == "true")
            try browser.screenshot(to: images.appendingPathComponent("passenger-personal.png"))

            // The relay dies: the page says offline; it comes back: live again by itself, no reload.
            relay.kill9()
            #expect(try browser.waitUntil("return String(document.body.dataset.stream === 'offline')", timeout: 5) != nil)
            try relay.start()
            #expect(try browser.waitUntil("return String(document.body.dataset.stream === 'live')", timeout: 15) != nil, "not live again")
            #expect(try browser.run("return String(window.notReloaded === true)") == "true")

            // And at a phone's size: the personal page and the lookup, one column.
            try browser.setViewport(width: 390, height: 844)
            try browser.navigate(browser.run("return location.href"))
            #expect(try browser.run("return String(document.documentElement.scrollWidth <= 390)") == "true", "wider than the phone")
            let phone = try browser.screenshot(to: images.appendingPathComponent("passenger-personal-phone.png"))
            #expect(phone.width == 390 && phone.height == 844)
            try browser.navigate(base + flight.lookupPath)
            #expect(try browser.waitUntil("return String(document.body.dataset.stream === 'live')", timeout: 10) != nil)
            #expect(try browser.run("return String(document.documentElement.scrollWidth <= 390)") == "true")
            try browser.screenshot(to: images.appendingPathComponent("passenger-flight-phone.png"))
            // Keyboard: the first Tab reaches the skip link, which is then visible.
            #expect(try browser.run("document.querySelector('.skip').focus(); return document.activeElement.className") == "skip")
            try browser.navigate(base + "/?flight=ZZ&date=2026-11-24")
            #expect(try browser.run("return document.querySelector('[data-problem-field]').dataset.problemField") == "flight")
            #expect(try browser.run("return document.getElementById('flight').getAttribute('aria-invalid')") == "true")
        }
    }

    /// `[webpush]` with a new VAPID key: the personal page then offers "Notify me in this browser".
    static func webPushTable() throws -> String {
        let folder = try TestServices.scratch.appendingPathComponent("passenger-browser-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let key = folder.appendingPathComponent("vapid.pem")
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key.path]
        try openssl.run()
        openssl.waitUntilExit()
        return "[webpush]\nvapid_private_key_file = \"\(key.path)\"\nsubject = \"mailto:ops@flightedge.test\"\n"
    }

    /// Polls like ``WebDriverSession/waitUntil(_:timeout:)``, taking a script that fails while a
    /// form post navigates as "not yet".
    private func waitTolerant(_ browser: WebDriverSession, _ script: String, timeout: Double) throws -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if (try? browser.run(script)) == "true" { return true }
            usleep(50_000)
        }
        return false
    }
}
