import FlightModel
import NotificationRules
import Testing

@Suite struct RecipientGateTests {
    typealias Candidate = RecipientGate.Candidate

    func fresh(_ id: Int64, urgent: Bool = false) -> Candidate {
        Candidate(id: id, urgent: urgent, held: false, firstAttempt: true)
    }

    @Test func fifteenAtOnceSendTenAndHoldFiveUntilTheNextToken() {
        var budget = RulesSettings().newBudget(at: at("05:00"))
        let verdicts = RecipientGate.decide((1...15).map { fresh($0) }, budget: &budget, now: at("05:00"))
        #expect((1...10).allSatisfy { verdicts[$0] == .send })
        #expect((11...15).allSatisfy { verdicts[$0] == .hold(until: at("05:06")) })
        #expect(budget.available(at: at("05:00")) == 0)
    }

    @Test func heldOnesLeaveAsOneDigestForOneTokenWhenItComes() {
        var budget = RulesSettings().newBudget(at: at("05:00"))
        _ = RecipientGate.decide((1...10).map { fresh($0) }, budget: &budget, now: at("05:00"))
        let held = (11...15).map { Candidate(id: $0, urgent: false, held: true, firstAttempt: true) }
        let early = RecipientGate.decide(held, budget: &budget, now: at("05:05"))
        #expect(early.values.allSatisfy { $0 == .hold(until: at("05:06")) })
        // A new one due at the same moment joins the digest instead of taking a token of its own.
        let onTime = RecipientGate.decide(held + [fresh(16)], budget: &budget, now: at("05:06"))
        #expect((11...16).allSatisfy { onTime[$0] == .digest })
        #expect(budget.available(at: at("05:06")) == 0, "the whole digest took one token")
        #expect(budget.nextTokenAt == at("05:12"))
    }

    @Test func oneHeldNotificationGoesAsItself() {
        var budget = RecipientBudget(capacity: 1, refillPerHour: 60, tokens: 1, refilledAt: at("05:00"))
        let verdicts = RecipientGate.decide(
            [Candidate(id: 7, urgent: false, held: true, firstAttempt: true)], budget: &budget, now: at("05:00"))
        #expect(verdicts == [7: .send])
    }

    @Test func urgentOnesBypassAnEmptyBucketAndRetriesPayNoSecondToken() {
        var budget = RecipientBudget(capacity: 2, refillPerHour: 2, tokens: 0, refilledAt: at("05:00"))
        let verdicts = RecipientGate.decide(
            [
                fresh(1, urgent: true), Candidate(id: 2, urgent: false, held: false, firstAttempt: false),
                fresh(3),
            ], budget: &budget, now: at("05:10"))
        #expect(verdicts[1] == .send, "a cancellation never waits")
        #expect(verdicts[2] == .send, "a retry paid on its first attempt")
        #expect(verdicts[3] == .hold(until: at("05:30")))

        var full = RecipientBudget(capacity: 2, refillPerHour: 2, now: at("05:00"))
        _ = RecipientGate.decide([fresh(4, urgent: true)], budget: &full, now: at("05:00"))
        #expect(full.available(at: at("05:00")) == 1, "an urgent one counts when there is a token")
    }
}
