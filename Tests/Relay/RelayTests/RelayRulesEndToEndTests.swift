import FlightEdgeTestSupport
import Foundation
import Testing

/// The rules as a passenger sees them through the running relay: what reaches the mailbox for a
/// flapping gate, a gate that goes A→B→C, and a delay that grows in small and large steps.
@Suite("Relay: the rules end to end", .serialized)
struct RelayRulesEndToEndTests {
    /// A relay with a 2-second gate hold, a subscriber on a fresh flight number, and a publisher.
    struct Scene {
        let relay: RelayProcess
        let smtp: SMTPStandin
        let number: String
        let address: String
        let date = RelayEvents.today()
        let departure = Date().addingTimeInterval(90 * 60)

        func publish(_ kind: String, seq: Int, previous: String, current: String, delay: Int? = nil) throws {
            let event = RelayEvents.event(
                kind: kind, number: number, date: date, seq: seq, departure: departure, previous: previous, current: current,
                delayMinutes: delay)
            try RelayEvents.publish(event, kind: kind)
        }

        func mails() throws -> [SMTPStandin.Received] { try smtp.received(for: address) }
    }

    func withScene(_ body: (Scene) async throws -> Void) async throws {
        let smtp = try SMTPStandin.shared()
        try await TestServices.withTemporaryDatabase { url in
            let relay = try RelayProcess(databaseURL: url, smtp: smtp, extra: "[rules]\ngate_hold_seconds = 2\n")
            try relay.start()
            defer { relay.stop() }
            let key = try relay.createAPIKey()
            let number = String(Int.random(in: 1000...8999))
            let address = "rules.\(number).\(UUID().uuidString.prefix(6).lowercased())@example.org"
            let created = try relay.subscribe(email: address, number: number, date: RelayEvents.today(), key: key)
            #expect(created.status == 201, "\(created.body)")
            try await body(Scene(relay: relay, smtp: smtp, number: number, address: address))
        }
    }

    @Test("a gate that changes and changes back within the hold sends nothing; A→B→C sends one message, for C")
    func flappingGate() async throws {
        try await withScene { scene in
            try scene.publish("gate-change", seq: 2, previous: #"{"gate":"A12"}"#, current: #"{"gate":"B34"}"#)
            try scene.publish("gate-change", seq: 3, previous: #"{"gate":"B34"}"#, current: #"{"gate":"A12"}"#)
            try await Task.sleep(for: .seconds(4))
            #expect(try scene.mails().isEmpty, "a gate back where it was is no news")

            try scene.publish("gate-change", seq: 4, previous: #"{"gate":"A12"}"#, current: #"{"gate":"B34"}"#)
            try scene.publish("gate-change", seq: 5, previous: #"{"gate":"B34"}"#, current: #"{"gate":"C56"}"#)
            let arrived = try eventually(within: 10) { try !scene.mails().isEmpty }
            #expect(arrived, "relay log:\n\(scene.relay.log)")
            try await Task.sleep(for: .seconds(3))
            let mails = try scene.mails()
            #expect(mails.count == 1)
            let text = (mails.first?.text ?? "") + (mails.first?.subject ?? "")
            #expect(text.contains("C56"), "\(text)")
            #expect(!text.contains("B34"), "the passenger never knew of B34: \(text)")
        }
    }

    @Test("an event stamped hours ahead of the relay's clock (a simulated day at 60×) still leaves after its hold, not hours later")
    func eventsAheadOfTheClock() async throws {
        try await withScene { scene in
            let ahead = Date().addingTimeInterval(3 * 3600)
            let event = RelayEvents.event(
                kind: "gate-change", number: scene.number, date: scene.date, seq: 2, departure: ahead.addingTimeInterval(3600),
                previous: #"{"gate":"A12"}"#, current: #"{"gate":"B34"}"#, occurredAt: ahead)
            try RelayEvents.publish(event, kind: "gate-change")
            #expect(try eventually(within: 10) { try scene.mails().count == 1 }, "relay log:\n\(scene.relay.log)")
        }
    }

    @Test("a delay is told from 30 minutes and again after each further 30; smaller moves send nothing")
    func delaySteps() async throws {
        try await withScene { scene in
            let departure = RelayEvents.iso(scene.departure)
            func estimated(_ minutes: Int) -> String {
                #"{"estimated":"\#(RelayEvents.iso(scene.departure.addingTimeInterval(Double(minutes) * 60)))"}"#
            }
            try scene.publish("delay", seq: 2, previous: #"{"estimated":"\#(departure)"}"#, current: estimated(10), delay: 10)
            try await Task.sleep(for: .seconds(2))
            #expect(try scene.mails().isEmpty, "10 minutes late is under the threshold")
            try scene.publish("delay", seq: 3, previous: estimated(10), current: estimated(35), delay: 35)
            #expect(try eventually(within: 10) { try scene.mails().count == 1 }, "relay log:\n\(scene.relay.log)")
            try scene.publish("delay", seq: 4, previous: estimated(35), current: estimated(45), delay: 45)
            try await Task.sleep(for: .seconds(2))
            #expect(try scene.mails().count == 1, "45 is only 10 more than what was told")
            try scene.publish("delay", seq: 5, previous: estimated(45), current: estimated(70), delay: 70)
            #expect(try eventually(within: 10) { try scene.mails().count == 2 })
            try await Task.sleep(for: .seconds(1))
            #expect(try scene.mails().count == 2)
        }
    }
}
