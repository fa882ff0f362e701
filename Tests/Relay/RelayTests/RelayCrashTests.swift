import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// Two relay instances on one database and one shared subscription; one of them is killed with
/// SIGKILL at ten random moments while events flow and notifications go out by e-mail, SMS, app
/// push and browser push. Afterwards every wanted message has reached its stand-in. Duplicates
/// are counted per channel: SMS has none (a taken-over delivery is looked up in Twilio's list);
/// e-mail, FCM and Web Push repeat what was accepted and not yet recorded at a kill, since none
/// of them takes an idempotency key, and each repeat is the same message, so the device folds
/// it (docs/RELAY-DESIGN.md, "Dispatch").
@Suite("Relay: kill -9 with two instances", .serialized)
struct RelayCrashTests {
    @Test("ten kills of one of two instances lose no notification")
    func killsLoseNothing() async throws {
        let smtp = try SMTPStandin.shared()
        try await TestServices.withTemporaryDatabase { url in
            let fcm = try ProviderStandin.named("fcm")
            let twilio = try ProviderStandin.named("twilio")
            let webpush = try WebPushStandin()
            let extra = try RelayChannelsEndToEndTests.providerSettings() + """

                [dispatch]
                lease_seconds = 5
                concurrency = 8
                """
            // A share group of this run's own: the persistent sessions of an earlier run on the same
            // broker stay members of their group, and the broker keeps handing them their share.
            let topic = "$share/relay-\(UUID().uuidString.prefix(8).lowercased())/flightedge/+/events/#"
            let steady = try RelayProcess(databaseURL: url, smtp: smtp, topic: topic, extra: extra)
            let victim = try RelayProcess(databaseURL: url, smtp: smtp, topic: topic, extra: extra)
            try steady.start()
            try victim.start()
            defer {
                steady.stop()
                victim.stop()
            }
            let key = try steady.createAPIKey()
            let date = RelayEvents.today()
            let run = UUID().uuidString.prefix(6).lowercased()
            let flights = (0..<20).map { String(9000 + $0) }
            let phones = Dictionary(uniqueKeysWithValues: flights.map { ($0, "+4178\(Int.random(in: 100_000...999_999))\($0.suffix(1))") })
            var browsers: Set<String> = []  // the Web Push stand-in's subscription ids
            for number in flights {
                let browser = String(decoding: try webpush.subscribe(), as: UTF8.self)
                let endpoint = (try JSONSerialization.jsonObject(with: Data(browser.utf8)) as? [String: Any])?["endpoint"] as? String
                browsers.insert(String(endpoint?.split(separator: "/").last ?? ""))
                let created = try steady.request(
                    "POST", "/v1/subscriptions",
                    body: """
                        {"flight": {"airline": "KL", "number": "\(number)", "date": "\(date)"},
                         "contacts": [{"channel": "email", "address": "crash.\(run).\(number)@example.org"},
                                      {"channel": "sms", "number": "\(phones[number] ?? "")"},
                                      {"channel": "fcm", "token": "crash-\(run)-\(number)"},
                                      {"channel": "webpush", "subscription": \(browser)}]}
                        """,
                    headers: ["Authorization": "Bearer \(key)"])
                #expect(created.status == 201, "\(created.body)")
            }
            // Per flight: cancellation, reinstatement, cancellation…: each is told at once.
            var expected: [String: String] = [:]  // event id → address
            var payloads: [String] = []
            for round in 1...10 {
                for number in flights {
                    let kind = round % 2 == 1 ? "cancellation" : "reinstatement"
                    let id = UUID().uuidString.lowercased()
                    expected[id] = "crash.\(run).\(number)@example.org"
                    payloads.append(
                        RelayEvents.event(
                            kind: kind, airline: "KL", number: number, date: date, seq: round + 1,
                            departure: Date().addingTimeInterval(7200),
                            previous: round % 2 == 1 ? #"{"status":"scheduled"}"# : #"{"status":"cancelled"}"#,
                            current: round % 2 == 1 ? #"{"status":"cancelled"}"# : #"{"status":"scheduled"}"#, eventID: id))
                }
            }
            let publisher = Task.detached {
                for chunk in stride(from: 0, to: payloads.count, by: 20) {
                    try RelayEvents.publishLines(Array(payloads[chunk..<min(chunk + 20, payloads.count)]))
                    try await Task.sleep(for: .milliseconds(150))
                }
            }
            for _ in 0..<10 {
                try await Task.sleep(for: .milliseconds(Int.random(in: 100...600)))
                victim.kill9()
                try victim.start()
            }
            try await publisher.value

            let admin = try PostgresConnection(conninfo: url)
            let settled = try eventually(within: 60) {
                let open = try admin.query(
                    "SELECT count(*) FROM relay.deliveries WHERE state IN ('pending', 'sending')"
                ).rows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? -1
                let total = try admin.query("SELECT count(*) FROM relay.deliveries").rows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? 0
                return open == 0 && total == 4 * expected.count
            }
            #expect(settled, "deliveries still open; steady log:\n\(steady.log.suffix(3000))\nvictim log:\n\(victim.log.suffix(3000))")
            // Only this test's events: suites run side by side share the broker's event topics.
            let ours = expected.keys.map { "'\($0)'" }.joined(separator: ",")
            let events = try admin.query("SELECT count(*) FROM relay.events WHERE event_id::text IN (\(ours))")
                .rows.first?.first.flatMap { $0 } ?? ""
            #expect(events == String(expected.count), "every event recorded once")

            var copies: [String: Int] = [:]
            for mail in try smtp.received() where mail.rcptTos.contains(where: { $0.hasPrefix("crash.\(run).") }) {
                if let messageID = mail.messageID, let eventID = expected.keys.first(where: { messageID.contains($0) }) {
                    copies[eventID, default: 0] += 1
                }
            }
            // Per channel: the wanted notifications that never arrived, and the copies beyond one.
            let tally = { (copies: [String: Int]) in
                (missing: expected.keys.filter { copies[$0] == nil }, duplicates: copies.values.reduce(0) { $0 + max(0, $1 - 1) })
            }
            let (missing, duplicates) = tally(copies)
            let (pushes, pushForms) = Self.pushCopies(try fcm.received(), tokenPrefix: "crash-\(run)-", wanted: Set(expected.keys))
            let (pushesMissing, pushDuplicates) = tally(pushes)
            let (browserPushes, browserForms) = Self.browserCopies(try webpush.receivedLines(), browsers: browsers, wanted: Set(expected.keys))
            let (browserMissing, browserDuplicates) = tally(browserPushes)
            let sms = Self.smsCounts(try twilio.received(), phones: Set(phones.values))
            let (smsMissing, smsDuplicates) = (sms.missing, sms.duplicates)
            #expect(sms.textsPerPhone.allSatisfy { $0 == 2 }, "two texts per phone: \(sms.textsPerPhone)")
            let found = try admin.query(
                "SELECT count(*) FROM relay.deliveries WHERE channel = 'sms' AND lost_since IS NOT NULL"
            ).rows.first?.first.flatMap { $0 } ?? "?"
            let adopted = [steady.log, victim.log].map { $0.components(separatedBy: "a lost attempt had reached the provider").count - 1 }
                .reduce(0, +)
            print(
                "relay kill -9 ×10: \(expected.count) notifications wanted per channel; e-mail \(missing.count) missing, "
                    + "\(duplicates) duplicates; SMS \(smsMissing) missing, \(smsDuplicates) duplicates (\(found) taken over "
                    + "and looked up at Twilio, \(adopted) found there); FCM \(pushesMissing.count) missing, \(pushDuplicates) duplicates; "
                    + "Web Push \(browserMissing.count) missing, \(browserDuplicates) duplicates")
            #expect(missing.isEmpty, "missing: \(missing.prefix(5))")
            #expect(smsMissing == 0, "SMS missing: \(smsMissing)")
            #expect(pushesMissing.isEmpty, "pushes missing: \(pushesMissing.prefix(5))")
            #expect(browserMissing.isEmpty, "browser pushes missing: \(browserMissing.prefix(5))")
            // Twilio lists what it took: a taken-over SMS is looked up, never sent twice.
            #expect(smsDuplicates == 0, "\(smsDuplicates) SMS duplicates; victim log:\n\(victim.log.suffix(3000))")
            // A duplicate needs a kill between the provider's acceptance and the commit that
            // records it: at most the sends in flight at each kill (`concurrency` 8), never more.
            // Seen (2026-12-06, eight runs): e-mail 5–14, FCM 5–30, Web Push 8–19 of 200.
            #expect(duplicates <= 10 * 8, "\(duplicates) duplicates")
            #expect(pushDuplicates <= 10 * 8, "\(pushDuplicates) push duplicates")
            #expect(browserDuplicates <= 10 * 8, "\(browserDuplicates) browser push duplicates")
            // FCM and Web Push take no idempotency key: their repeats are the same message, which
            // the device folds (same tag and collapse key; the service worker knows the id).
            #expect(pushForms.values.allSatisfy { $0.count == 1 }, "a push repeated with other content")
            #expect(browserForms.values.allSatisfy { $0.count == 1 }, "a browser push repeated with other content")
        }
    }

    /// The app pushes, by the delivery id in their data (event id, subscription, channel): copies
    /// per event, and per delivery the distinct forms of its copies (notification, collapse key,
    /// tag, data). One form: the device shows it once.
    static func pushCopies(
        _ records: [[String: Any]], tokenPrefix: String, wanted: Set<String>
    ) -> (copies: [String: Int], forms: [String: Set<String>]) {
        var copies: [String: Int] = [:]
        var forms: [String: Set<String>] = [:]
        for record in records {
            guard let message = record["message"] as? [String: Any], (message["token"] as? String)?.hasPrefix(tokenPrefix) == true,
                let deliveryID = (message["data"] as? [String: Any])?["delivery_id"] as? String,
                let eventID = deliveryID.split(separator: ".").first.map(String.init), wanted.contains(eventID)
            else { continue }
            copies[eventID, default: 0] += 1
            forms[deliveryID, default: []].insert(canonical([message["notification"], message["android"], message["data"], message["webpush"]]))
        }
        return (copies, forms)
    }

    /// The browser pushes, by the delivery id in their decrypted payload; their forms as above
    /// (the payload as sent, `Topic`, `Urgency`).
    static func browserCopies(
        _ lines: [String], browsers: Set<String>, wanted: Set<String>
    ) -> (copies: [String: Int], forms: [String: Set<String>]) {
        var copies: [String: Int] = [:]
        var forms: [String: Set<String>] = [:]
        for line in lines {
            guard let record = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any],
                let subscription = record["subscription"] as? String, browsers.contains(subscription),
                let plaintext = record["plaintext"] as? [String: Any], let deliveryID = plaintext["id"] as? String,
                let eventID = deliveryID.split(separator: ".").first.map(String.init), wanted.contains(eventID)
            else { continue }
            copies[eventID, default: 0] += 1
            forms[deliveryID, default: []].insert(canonical([record["plaintext_text"], record["topic"], record["urgency"]]))
        }
        return (copies, forms)
    }

    /// SMS carry no id: per phone, the same words are the same notification. Each flight was told
    /// five cancellations and five reinstatements: two texts, five times each.
    static func smsCounts(_ records: [[String: Any]], phones: Set<String>) -> (missing: Int, duplicates: Int, textsPerPhone: [Int]) {
        var texts: [String: [String: Int]] = [:]
        for record in records where record["kind"] as? String == "message" {
            guard let to = record["to"] as? String, phones.contains(to), let body = record["body"] as? String else { continue }
            texts[to, default: [:]][body, default: 0] += 1
        }
        var missing = 0
        var duplicates = 0
        for phone in phones {
            let counts = texts[phone] ?? [:]
            missing += 5 * max(0, 2 - counts.count) + counts.values.reduce(0) { $0 + max(0, 5 - $1) }
            duplicates += counts.values.reduce(0) { $0 + max(0, $1 - 5) }
        }
        return (missing, duplicates, phones.map { texts[$0]?.count ?? 0 })
    }

    /// One text for JSON values, keys sorted: two copies compare equal when their content does.
    static func canonical(_ values: [Any?]) -> String {
        let array = values.map { $0 ?? NSNull() }
        let data = (try? JSONSerialization.data(withJSONObject: array, options: [.sortedKeys, .fragmentsAllowed])) ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
