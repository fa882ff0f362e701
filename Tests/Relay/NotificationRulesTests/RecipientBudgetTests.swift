import Channels
import FlightModel
import NotificationRules
import NotificationText
import Testing

@Suite struct RecipientBudgetTests {
    @Test func tenGoOutThenTheBucketIsEmptyUntilTheNextToken() {
        var budget = RulesSettings().newBudget(at: at("05:00"))
        var taken = 0
        for second in 0..<10 where budget.take(now: at("05:00").adding(seconds: second)) { taken += 1 }
        #expect(taken == 10)
        let eleventh = budget.take(now: at("05:00:30"))
        #expect(!eleventh)
        // Ten per hour: one token every six minutes, counted from when the bucket stopped being full.
        #expect(budget.nextTokenAt == at("05:06"))
        let early = budget.take(now: at("05:05:59"))
        let onTime = budget.take(now: at("05:06"))
        let after = budget.take(now: at("05:06:01"))
        #expect(!early && onTime && !after)
        #expect(budget.available(at: at("07:00")) == 10)
        #expect(budget.available(at: at("05:18")) == 2)
    }

    @Test func theBudgetRoundTripsThroughJSON() throws {
        var budget = RecipientBudget(capacity: 3, refillPerHour: 4, now: at("05:00"))
        _ = budget.take(now: at("05:01"))
        _ = budget.take(now: at("05:02"))
        let copy = try RecipientBudget(json: budget.json)
        #expect(copy == budget)
        #expect(throws: StoredStateError.self) { try RecipientBudget(json: Array(#"{"capacity":3}"#.utf8)) }
    }

    @Test func whatAnEmptyBucketHoldsFoldsIntoOneDigestPerTopic() throws {
        var script = FlightScript()
        var digest = NotificationDigest()
        let gate = try #require(script.gate("A12", "B34", at: at("05:00")).notifications.first)
        let delay = try #require(script.delay(40, at: at("05:03")).notifications.first)
        let newerGate = try #require(script.gate("B34", "C56", at: at("05:04")).notifications.first)
        digest.add(gate)
        digest.add(delay)
        digest.add(newerGate)
        #expect(digest.items.map(\.id) == [delay.id, newerGate.id], "the newer gate replaced the older one")
        let cancellation = try #require(
            script.apply(script.event(.cancellation, at: at("05:05"), current: ["status": "cancelled"])).notifications
                .first)
        digest.add(cancellation)
        #expect(digest.isUrgent)
        let removed = digest.remove(id: delay.id)
        let removedAgain = digest.remove(id: delay.id)
        #expect(removed && !removedAgain)

        let rendered = NotificationRenderer().renderDigest(
            digest.items, context: RenderContext(timeZone: "Europe/Zurich", manageURL: "https://relay.example/m/1"))
        #expect(rendered.subject == "2 flight updates")
        #expect(
            rendered.text.hasPrefix(
                "2 flight updates:\n- LX 1234 ZRH–LHR on 24 Nov 2026 is CANCELLED.\n- LX 1234 ZRH–LHR: gate changed from B34 to C56"
            ))
        #expect(rendered.smsText.count <= 160)
        #expect(rendered.smsText.hasPrefix("LX 1234 ZRH–LHR on 24 Nov 2026 is CANCELLED. | "))
        #expect(rendered.urgency == .high)
        #expect(rendered.replaceKey == "digest")
        #expect(rendered.html.contains("<li>LX 1234 ZRH–LHR: gate changed from B34 to C56"))
    }
}
