import FlightEdgeTestSupport
import Foundation
import Testing

/// The passenger page's live side and browser push, over HTTP: streams fed by PostgreSQL's
/// NOTIFY from whichever instance recorded the event, and the Web Push contact endpoint.
@Suite("Passenger page: streams and browser push", .serialized)
struct PassengerLiveTests {
    @Test("a stream on one instance follows events another instance recorded; Last-Event-ID resumes without a repeat")
    func aStreamFollowsAnotherInstance() async throws {
        try await TestServices.withTemporaryDatabase { url in
            // Only the first instance takes events; the second serves the page from the same database.
            let recorder = try RelayProcess(databaseURL: url, smtp: try SMTPStandin.shared())
            let pages = try RelayProcess(databaseURL: url, smtp: try SMTPStandin.shared(), topic: "flightedge/QQQ/events/#")
            try recorder.start()
            defer { recorder.stop() }
            try pages.start()
            defer { pages.stop() }
            var flight = SimulatedFlight()
            try flight.publish("gate-change", current: #"{"gate":"A12"}"#)
            #expect(try eventually(within: 10) { try pages.request("GET", flight.lookupPath).status == 200 })

            let path = "/flights/stream?flight=\(flight.airline)\(flight.number)&date=\(flight.date)"
            let stream = try EventStreamClient(port: pages.httpPort, path: path)
            defer { stream.close() }
            #expect(stream.status == 200)
            #expect(stream.headers.contains { $0.lowercased().hasPrefix("content-type: text/event-stream") })
            let snapshot = try #require(try stream.first(within: 5) { $0.name == "flight" })
            #expect(snapshot.data.contains("A12") && snapshot.data.contains(flight.flightID))
            let first = try #require(snapshot.id)

            let started = Date()
            try flight.publish("gate-change", previous: #"{"gate":"A12"}"#, current: #"{"gate":"B34"}"#)
            let change = try #require(try stream.first(within: 5) { $0.name == "flight" }, "no change on the other instance")
            #expect(change.data.contains("B34"))
            #expect(change.id != first)
            print("passenger page: a change recorded by one instance reached another's stream (publish included) after \(Int(Date().timeIntervalSince(started) * 1000)) ms")

            // Reconnecting with the last id: nothing again (up to date); with an older id: the snapshot.
            let resumed = try EventStreamClient(port: pages.httpPort, path: path, lastEventID: change.id)
            defer { resumed.close() }
            #expect(try resumed.first(within: 1.5) { $0.name == "flight" } == nil)
            let behind = try EventStreamClient(port: pages.httpPort, path: path, lastEventID: first)
            defer { behind.close() }
            let caughtUp = try #require(try behind.first(within: 5) { $0.name == "flight" })
            #expect(caughtUp.data.contains("B34") && caughtUp.id == change.id)
            let bad = try pages.request("GET", "/flights/stream?flight=nope&date=2026-01-01")
            #expect(bad.status == 400)
            // Open streams end when the instance stops; it stops cleanly.
            #expect(pages.stop() == 0)
            #expect(try resumed.ends(within: 2))
        }
    }

    @Test("the service worker and the VAPID key are served; the browser's subscription is validated and stored, with its token")
    func browserPush() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let scratch = try TestServices.scratch.appendingPathComponent("passenger-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: scratch) }
            let vapid = scratch.appendingPathComponent("vapid.pem")
            let openssl = Process()
            openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            openssl.arguments = ["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", vapid.path]
            try openssl.run()
            openssl.waitUntilExit()
            let relay = try RelayProcess(
                databaseURL: url, smtp: try SMTPStandin.shared(),
                extra: "[webpush]\nvapid_private_key_file = \"\(vapid.path)\"\nsubject = \"mailto:ops@flightedge.test\"\n")
            try relay.start()
            defer { relay.stop() }

            let worker = try relay.request("GET", "/sw.js")
            #expect(worker.status == 200)
            #expect(worker.headers["content-type"]?.hasPrefix("text/javascript") == true)
            #expect(worker.headers["service-worker-allowed"] == "/")
            #expect(worker.body.contains("addEventListener(\"push\"") && worker.body.contains("showNotification"))
            let script = try relay.request("GET", "/assets/passenger.js")
            #expect(script.body.contains("pushManager.subscribe") && script.body.contains("applicationServerKey"))
            #expect(try relay.request("GET", "/assets/nope.js").status == 404)

            let flight = SimulatedFlight()
            let session = try FormSession(relay: relay, path: flight.lookupPath)
            let created = try session.post(
                relay, "/subscribe",
                [("flight", "\(flight.airline)\(flight.number)"), ("date", flight.date), ("email", "push.\(flight.number)@example.org"),
                 ("kinds", "delay")])
            let manage = try #require(created.headers["location"])
            let path = String(manage.dropFirst("http://127.0.0.1:\(relay.httpPort)".count))
            let page = try relay.request("GET", path, headers: ["Cookie": session.cookie])
            let key = try #require(page.body.range(of: "data-application-server-key=\"").map { page.body[$0.upperBound...].prefix { $0 != "\"" } })
            #expect(key.count == 87, "a P-256 public key, 65 bytes in base64url")
            let endpoint = try #require(page.body.range(of: "data-webpush-url=\"").map { page.body[$0.upperBound...].prefix { $0 != "\"" } })
            let webpush = String(endpoint).htmlUnescaped
            #expect(page.body.contains("data-action=\"webpush\""))

            var p256dh = [UInt8](repeating: 7, count: 65)
            p256dh[0] = 4
            let good = """
                {"channel":"webpush","subscription":{"endpoint":"https://push.example.net/send/abc","expirationTime":null,\
                "keys":{"p256dh":"\(Data(p256dh).base64URL)","auth":"\(Data(repeating: 9, count: 16).base64URL)"}}}
                """
            let json = ["Content-Type": "application/json", "Cookie": session.cookie]
            let noToken = try relay.request("POST", webpush, body: good, headers: json)
            #expect(noToken.status == 403)
            #expect(noToken.body.contains(#""field":"csrf""#))
            var headers = json
            headers["X-CSRF-Token"] = session.token
            let bad = good.replacingOccurrences(of: Data(p256dh).base64URL, with: "short")
            let refused = try relay.request("POST", webpush, body: bad, headers: headers)
            #expect(refused.status == 422)
            #expect(refused.body.contains(#""field":"contact.subscription.keys.p256dh""#), "\(refused.body)")
            let plain = try relay.request("POST", webpush, body: good.replacingOccurrences(of: "https://", with: "http://"), headers: headers)
            #expect(plain.status == 422)
            let stored = try relay.request("POST", webpush, body: good, headers: headers)
            #expect(stored.status == 201, "\(stored.body)")
            #expect(try relay.request("GET", path).body.contains("data-channel=\"webpush\""))
            let wrongLink = try relay.request("POST", webpush.replacingOccurrences(of: "token=", with: "token=x"), body: good, headers: headers)
            #expect(wrongLink.status == 404)
        }
    }
}

extension Data {
    /// Base64url without padding, as PushSubscription.toJSON() gives its keys.
    var base64URL: String {
        base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
