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
            // Each push is awaited until the worker has shown it (the time it records for the id
            // changes) before the notifications are read: a page's getNotifications() running
            // while the worker shows one made Chromium drop the new one from the list (a loaded
            // clean-clone run; 2 in 14 local runs beside busy loops and synced writes).
            func push(_ message: OutgoingMessage) throws {
                let before = try Self.shownAt(browser, id: message.deliveryID)
                try browser.devtools(
                    "ServiceWorker.deliverPushMessage",
                    ["origin": base, "registrationId": registration, "data": String(decoding: WebPushPayload.json(for: message), as: UTF8.self)])
                try Self.waitForShown(browser, id: message.deliveryID, after: before)
            }
            // Below: [tag, body, renotify, silent, id] of each notification on screen.
            try push(first)
            #expect(try Self.poll(browser, until: #"[["LX1234-20261206-status","LX 1234 to London is CANCELLED.",true,false,"e1.s1.webpush"]]"#))
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
    /// reaches no worker) until the worker records one as shown; its notification is closed again.
    static func registrationID(_ browser: WebDriverSession, origin: String) throws -> String {
        for candidate in 0..<8 {
            try browser.devtools(
                "ServiceWorker.deliverPushMessage",
                ["origin": origin, "registrationId": String(candidate), "data": #"{"title":"probe","body":"probe","tag":"probe-\#(candidate)","id":"probe-\#(candidate)"}"#])
        }
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            let ids = try browser.runAsync(
                """
                var done = arguments[arguments.length - 1];
                caches.open("flightedge-seen-pushes").then(function (cache) { return cache.keys(); })
                  .then(function (keys) { done(keys.map(function (k) { return decodeURIComponent(k.url.split("/seen/")[1]); }).join(",")); });
                """)
            if let id = ids.split(separator: ",").first(where: { $0.hasPrefix("probe-") }) {
                try browser.runAsync(
                    """
                    var done = arguments[arguments.length - 1];
                    navigator.serviceWorker.ready.then(function (r) { return r.getNotifications(); })
                      .then(function (list) { list.forEach(function (n) { n.close(); }); done(String(list.length)); });
                    """)
                guard try poll(browser, until: "[]") else { throw TestSupportError(.commandFailed, "the probe's notification stayed on screen") }
                return String(id.dropFirst("probe-".count))
            }
            usleep(100_000)
        }
        throw TestSupportError(.commandFailed, "no DevTools push reached the service worker (registration ids 0-7)")
    }

    /// When the worker last showed a push of `id`, as it recorded it (`/seen/<id>` in its Cache
    /// API store, milliseconds since 1970); "" when never.
    static func shownAt(_ browser: WebDriverSession, id: String) throws -> String {
        // The test's ids are plain ASCII without quotes: a JS string literal as they are.
        try browser.runAsync(
            """
            var done = arguments[arguments.length - 1];
            caches.open("flightedge-seen-pushes").then(function (cache) { return cache.match("/seen/" + encodeURIComponent("\(id)")); })
              .then(function (hit) { return hit ? hit.text() : ""; }).then(done);
            """)
    }

    /// Waits up to 30 s until the worker records `id` as shown later than `before`.
    static func waitForShown(_ browser: WebDriverSession, id: String, after before: String) throws {
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline {
            if try shownAt(browser, id: id) != before { return }
            usleep(50_000)
        }
        throw TestSupportError(.commandFailed, "the service worker did not show the push \(id) within 30 s")
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
