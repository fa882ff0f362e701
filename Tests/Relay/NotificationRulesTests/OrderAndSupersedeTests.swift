import FlightModel
import NotificationRules
import Testing

@Suite struct OrderAndSupersedeTests {
    @Test func aDuplicateEventPlansNothing() {
        var script = FlightScript()
        let event = script.event(.delay, at: at("04:00"), current: ["estimated": "2026-11-24T07:30:00Z"], delay: 60)
        #expect(script.apply(event).notifications.count == 1)
        let again = script.apply(event, now: at("04:01"))
        #expect(again.skipped == .alreadyApplied)
        #expect(again.notifications.isEmpty && again.cancellations.isEmpty)
    }

    @Test func anOlderEventArrivingLatePlansNothing() {
        var script = FlightScript()
        let old = script.event(.gateChange, at: at("05:00"), previous: ["gate": "A12"], current: ["gate": "B34"])
        let new = script.event(.gateChange, at: at("05:05"), previous: ["gate": "B34"], current: ["gate": "C56"])
        #expect(script.apply(new).notifications.count == 1)
        let late = script.apply(old, now: at("05:06"))
        #expect(late.skipped == .alreadyApplied)
        #expect(late.notifications.isEmpty)
        #expect(script.view.known.gate == "C56")
    }

    @Test func eventsOfOneUpdateShareTheirSeqAndAreAllApplied() {
        var script = FlightScript()
        script.preferences.kinds.insert(.boarding)
        let gate = script.event(.gateChange, at: at("06:00"), previous: ["gate": "A12"], current: ["gate": "B34"])
        let boarding = script.event(
            .boarding, at: at("06:00"), current: ["status": "boarding", "gate": "B34"], sameSeq: true)
        #expect(script.apply(gate).notifications.count == 1)
        #expect(script.apply(boarding).notifications.count == 1)
        #expect(script.apply(boarding).skipped == .alreadyApplied)
    }

    @Test func aNewerDelayReplacesOneHeldByQuietHours() throws {
        var script = FlightScript()
        script.preferences = SubscriptionPreferences(quietHours: QuietHours(from: "00:00", to: "06:00"))
        let first = try #require(script.delay(40, at: at("04:00")).notifications.first)
        #expect(first.dueAt == at("06:00"))
        let second = try #require(script.delay(80, at: at("04:30")).notifications.first)
        #expect(second.supersedes == first.id)
        #expect(script.view.pending.count == 1)
        // Back under the threshold before anything went out: nothing to tell, the pending one goes.
        let third = script.delay(10, at: at("05:00"))
        #expect(third.notifications.isEmpty)
        #expect(third.cancellations.map(\.id) == [second.id])
        #expect(script.view.pending.isEmpty)
    }

    @Test func theReplaceKeyIsTheFlightAndTopicInBase64URLCharacters() throws {
        var script = FlightScript()
        let notification = try #require(script.gate("A12", "B34", at: at("05:00")).notifications.first)
        #expect(notification.replaceKey == "LX1234-20261124-D_gate")
        #expect(notification.replaceKey.count <= 32)
        #expect(notification.replaceKey.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }
}
