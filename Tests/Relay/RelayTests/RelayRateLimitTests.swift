import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// The per-recipient rate limit through the running relay: a burst of 10, then one token every
/// 10 s (`rate_limit_burst = 10`, `rate_limit_per_hour = 360`), so an hour's worth of noise is
/// seen in seconds.
@Suite("Relay: the per-recipient rate limit and its digest", .serialized)
struct RelayRateLimitTests {
    @Test("15 gate and delay changes: 10 messages, then one digest of the rest; a cancellation goes at once from an empty bucket")
    func fifteenChangesInAnHour() async throws {
        let smtp = try SMTPStandin.shared()
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(
                databaseURL: url, smtp: smtp,
                extra: "[rules]\ngate_hold_seconds = 0\ngate_window_hours = 12\nrate_limit_per_hour = 360\nrate_limit_burst = 10\n")
            try relay.start()
            defer { relay.stop() }
            let key = try relay.createAPIKey()
            let number = String(Int.random(in: 1000...8999))
            let address = "budget.\(number).\(UUID().uuidString.prefix(6).lowercased())@example.org"
            let created = try relay.subscribe(email: address, number: number, date: RelayEvents.today(), key: key)
            #expect(created.status == 201, "\(created.body)")

            let departure = Date().addingTimeInterval(90 * 60)
            func estimated(_ minutes: Int) -> String {
                #"{"estimated":"\#(RelayEvents.iso(departure.addingTimeInterval(Double(minutes) * 60)))"}"#
            }
            func publish(_ kind: String, seq: Int, previous: String, current: String, delay: Int? = nil) throws {
                try RelayEvents.publish(
                    RelayEvents.event(
                        kind: kind, number: number, date: RelayEvents.today(), seq: seq, departure: departure,
                        previous: previous, current: current, delayMinutes: delay),
                    kind: kind)
            }
            // Gate G0→G1, a 30-minute delay, G1→G2, 60 minutes, … : every one a message the rules want.
            for change in 0..<15 {
                if change % 2 == 0 {
                    try publish(
                        "gate-change", seq: change + 2, previous: #"{"gate":"G\#(change)"}"#, current: #"{"gate":"G\#(change + 2)"}"#)
                } else {
                    let minutes = 30 * (change / 2 + 1)
                    try publish(
                        "delay", seq: change + 2, previous: estimated(minutes - 30), current: estimated(minutes), delay: minutes)
                }
            }
            let mails = { try smtp.received(for: address) }
            #expect(try eventually(within: 10) { try mails().count >= 10 }, "relay log:\n\(relay.log.suffix(3000))")
            try await Task.sleep(for: .seconds(2))
            #expect(try mails().count == 10, "the burst is 10: the rest waits for the next token")

            let admin = try PostgresConnection(conninfo: url)
            let held = try admin.query(
                "SELECT count(*) FROM relay.deliveries WHERE state = 'pending' AND held_at IS NOT NULL"
            ).rows.first?.first.flatMap { $0 }
            let table = try admin.query(
                "SELECT id, kind, state, held_at IS NOT NULL, attempts, coalesce(last_error, '') FROM relay.deliveries ORDER BY id"
            ).rows.map { $0.map { $0 ?? "" }.joined(separator: " ") }.joined(separator: "\n")
            #expect(held == "5", "deliveries:\n\(table)")

            // The next token comes 10 s after the first message: the five held ones leave as one digest.
            #expect(try eventually(within: 15) { try mails().count == 11 }, "relay log:\n\(relay.log.suffix(3000))")
            let digest = try #require(try mails().last)
            #expect(digest.subject == "2 flight updates", "the newest gate and the newest delay: \(digest.subject)")
            let digestText = digest.text ?? ""
            #expect(digestText.contains("G16"), "\(digestText)")
            #expect(!digestText.contains("G12"), "an older gate of the digest is not repeated: \(digestText)")
            let digested = try admin.query(
                "SELECT count(*), count(DISTINCT digest_id) FROM relay.deliveries WHERE state = 'digested'"
            ).rows.first ?? []
            #expect(digested == ["5", "1"], "the five held deliveries folded into one digest")

            // The digest took the one token: the bucket is empty, and a cancellation still goes at once.
            try publish("cancellation", seq: 20, previous: #"{"status":"scheduled"}"#, current: #"{"status":"cancelled"}"#)
            #expect(try eventually(within: 3) { try mails().count == 12 }, "relay log:\n\(relay.log.suffix(3000))")
            #expect(try mails().last?.subject.localizedCaseInsensitiveContains("cancel") == true)
            try await Task.sleep(for: .seconds(1))

            let all = try mails()
            #expect(all.count == 12)
            #expect(Set(all.compactMap(\.messageID)).count == all.count, "nothing twice")
            #expect(Set(all.map { $0.text ?? "" }).count == all.count, "every message tells something else")
            let open = try admin.query(
                "SELECT count(*) FROM relay.deliveries WHERE state IN ('pending', 'sending')"
            ).rows.first?.first.flatMap { $0 }
            #expect(open == "0")
        }
    }
}
