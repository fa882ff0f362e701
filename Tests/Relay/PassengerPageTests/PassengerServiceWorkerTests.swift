import Channels
import FlightEdgeTestSupport
import Foundation
import Testing
import WebPushChannel

/// The relay's service worker (`/sw.js`) in headless Chromium, fed real push events through the
/// DevTools protocol (`ServiceWorker.deliverPushMessage`: Chromium has no push service here, so the
/// event is delivered as the push service would, already decrypted). The payloads are
/// WebPushChannel's own. A repeat of a delivery (the relay sends one again when an instance died
/// before recording the push service's answer) must not make a second notification or alert.
@Suite("Passenger service worker in a browser", .serialized)
struct PassengerServiceWorkerTests {
    @Test("a push shows one notification; its repeat replaces it silently; a newer one of the flight alerts; a dismissed one comes back silently")
    func repeatsAreFolded() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(databaseURL: url, extra: try PassengerBrowserTests.webPushTable())
            try relay.start()
            defer { relay.stop() }
            let base = "http://127.0.0.1:\(relay.httpPort)"
            let browser = try WebDriverSession(width: 800, height: 600)
            defer { browser.quit() }
            try browser.navigate(base + "/")
            try browser.devtools("Browser.grantPermissions", ["permissions": ["notifications"], "origin": base])
            let registered = try browser.runAsync(
                """
                var done = arguments[arguments.length - 1];
                navigator.serviceWorker.register("/sw.js", { scope: "/" })
                  .then(function () { return navigator.serviceWorker.ready; })
                  .then(function (r) {
                    // "ready" comes while the worker may still be activating; a push delivered
                    // then was lost once in a loaded CI run. Wait for "activated".
                    var worker = r.active;
                    if (!worker) { done("no active worker"); return; }
                    if (worker.state === "activated") { done("active " + Notification.permission); return; }
                    worker.addEventListener("statechange", function () {
                      if (worker.state === "activated") { done("active " + Notification.permission); }
                    });
                  })
                  .catch(function (e) { done("error " + e); });
                """)
            try #require(registered == "active granted", "\(registered)")
            try browser.devtools("ServiceWorker.enable")
            let registration = try Self.registrationID(browser, origin: base)

            let first = OutgoingMessage(
                deliveryID: "e1.s1.webpush", replaceKey: "LX1234-20261206-status", subject: "LX 1234",
                text: "LX 1234 to London is CANCELLED.", link: base + "/")
            var newer = first
            newer.deliveryID = "e2.s1.webpush"
            newer.text = "LX 1234 to London is no longer cancelled and will operate."
            func push(_ message: OutgoingMessage) throws {
                try browser.devtools(
                    "ServiceWorker.deliverPushMessage",
                    ["origin": base, "registrationId": registration, "data": String(decoding: WebPushPayload.json(for: message), as: UTF8.self)])
            }
            // Below: [tag, body, renotify, silent, id] of each notification on screen.
            try push(first)
            // The first push opens the worker's Cache API store: in two loaded clean-clone runs
            // its notification came after more than 5 s, and the later ones in time.
            #expect(
                try Self.poll(
                    browser, until: #"[["LX1234-20261206-status","LX 1234 to London is CANCELLED.",true,false,"e1.s1.webpush"]]"#,
                    seconds: 30))
            try push(first)
            #expect(
                try Self.poll(browser, until: #"[["LX1234-20261206-status","LX 1234 to London is CANCELLED.",false,true,"e1.s1.webpush"]]"#),
                "the repeat replaces the notification without an alert")
            try push(newer)
            #expect(
                try Self.poll(browser, until: #"[["LX1234-20261206-status","LX 1234 to London is no longer cancelled and will operate.",true,false,"e2.s1.webpush"]]"#),
                "a newer delivery of the flight replaces it and alerts")
            try browser.runAsync(
                """
                var done = arguments[arguments.length - 1];
                navigator.serviceWorker.ready.then(function (r) { return r.getNotifications(); })
                  .then(function (list) { list.forEach(function (n) { n.close(); }); done(String(list.length)); });
                """)
            #expect(try Self.poll(browser, until: "[]"), "the passenger dismissed it")
            try push(newer)
            #expect(
                try Self.poll(browser, until: #"[["LX1234-20261206-status","LX 1234 to London is no longer cancelled and will operate.",false,true,"e2.s1.webpush"]]"#),
                "a repeat of a dismissed one comes back without an alert")
        }
    }

    /// The worker's registration id for DevTools: probes ids 0… with a push each (a wrong id
    /// reaches no worker) until one shows; its notification is closed again.
    static func registrationID(_ browser: WebDriverSession, origin: String) throws -> String {
        for candidate in 0..<8 {
            try browser.devtools(
                "ServiceWorker.deliverPushMessage",
                ["origin": origin, "registrationId": String(candidate), "data": #"{"title":"probe","body":"probe","tag":"probe-\#(candidate)"}"#])
        }
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let tags = try browser.runAsync(
                """
                var done = arguments[arguments.length - 1];
                navigator.serviceWorker.ready.then(function (r) { return r.getNotifications(); })
                  .then(function (list) { var tags = list.map(function (n) { n.close(); return n.tag; }); done(tags.join(",")); });
                """)
            if let tag = tags.split(separator: ",").first, tag.hasPrefix("probe-") { return String(tag.dropFirst("probe-".count)) }
            usleep(100_000)
        }
        throw TestSupportError(.commandFailed, "no DevTools push reached the service worker (registration ids 0-7)")
    }

    /// Polls the notifications on screen until their JSON (`[[tag, body, renotify, silent, id]]`)
    /// is `expected`, for up to `seconds` (5 s unless said).
    static func poll(_ browser: WebDriverSession, until expected: String, seconds: Double = 5) throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        var last = ""
        while Date() < deadline {
            last = try browser.runAsync(
                """
                var done = arguments[arguments.length - 1];
                navigator.serviceWorker.ready.then(function (r) { return r.getNotifications(); }).then(function (list) {
                  done(JSON.stringify(list.map(function (n) { return [n.tag, n.body, n.renotify, n.silent, n.data && n.data.id]; })));
                });
                """)
            if last == expected { return true }
            usleep(50_000)
        }
        Issue.record("notifications on screen: \(last); expected \(expected)")
        return false
    }
}
