import FlightModel
import NotificationRules
import Testing

@Suite struct GateHoldTests {
    @Test func aGateThatFlapsBackInsideTheHoldSendsNothing() throws {
        var script = FlightScript()
        let first = script.gate("A12", "B34", at: at("05:00:00"))
        let held = try #require(first.notifications.first)
        #expect(held.dueAt == at("05:02:00"))
        #expect(held.facts.oldGate == "A12")
        #expect(held.facts.gate == "B34")
        #expect(script.view.pending[.gate] == held)

        let back = script.gate("B34", "A12", at: at("05:01:30"))
        #expect(back.notifications.isEmpty)
        #expect(back.cancellations == [Cancellation(id: held.id, topic: .gate, reason: .reverted)])
        #expect(script.view.pending.isEmpty)
        #expect(script.view.told.gate == "A12")
    }

    @Test func threeGatesInsideTheHoldSendOneFromFirstToLast() throws {
        var script = FlightScript()
        let first = try #require(script.gate("A12", "B34", at: at("05:00:00")).notifications.first)
        let second = script.gate("B34", "C56", at: at("05:01:00"))
        let replacement = try #require(second.notifications.first)
        #expect(second.notifications.count == 1)
        #expect(second.cancellations.isEmpty)
        #expect(replacement.supersedes == first.id)
        #expect(replacement.facts.oldGate == "A12")
        #expect(replacement.facts.gate == "C56")
        #expect(replacement.dueAt == at("05:03:00"), "due two minutes after the last change")
        #expect(replacement.replaceKey == first.replaceKey)
        #expect(script.view.pending.count == 1)
    }

    @Test func aChangeAfterTheHoldComparesWithWhatWasTold() throws {
        var script = FlightScript()
        _ = script.gate("A12", "B34", at: at("05:00:00"))
        let later = script.gate("B34", "C56", at: at("05:10:00"))
        let notification = try #require(later.notifications.first)
        #expect(notification.supersedes == nil, "the first one went out at 05:02")
        #expect(notification.facts.oldGate == "B34")
        #expect(script.view.told.gate == "B34")
    }

    @Test func aGateChangeFiveHoursBeforeDepartureSendsNothing() throws {
        var script = FlightScript()
        let early = script.gate("A12", "B34", at: at("01:30"))
        #expect(early.notifications.isEmpty)
        #expect(script.view.told.gate == "B34", "the baseline follows silently outside the window")
        let inside = try #require(script.gate("B34", "C56", at: at("04:00")).notifications.first)
        #expect(inside.facts.oldGate == "B34")
    }

    @Test func theWindowCountsFromTheEstimateWhenOneIsKnown() {
        var script = FlightScript()
        _ = script.delay(150, at: at("03:00"))  // estimated 09:00
        let plan = script.gate("A12", "B34", at: at("05:00"))  // 1.5 h before schedule, 4 h before estimate
        #expect(plan.notifications.isEmpty)
    }

    @Test func theFirstGateAssignedIsToldAfterTheHold() throws {
        var script = FlightScript()
        let notification = try #require(script.gate(nil, "B34", at: at("05:00")).notifications.first)
        #expect(notification.notice == .gateChange)
        #expect(notification.facts.oldGate == nil)
        #expect(notification.facts.gate == "B34")
    }

    @Test func aTerminalChangeJoinsThePendingGateChange() throws {
        var script = FlightScript()
        _ = script.apply(
            script.event(.terminalChange, at: at("04:59"), previous: ["terminal": "1"], current: ["terminal": "1"]))
        let gate = try #require(script.gate("A12", "E20", at: at("05:00")).notifications.first)
        let terminal = script.apply(
            script.event(.terminalChange, at: at("05:00:30"), previous: ["terminal": "1"], current: ["terminal": "2"]))
        let both = try #require(terminal.notifications.first)
        #expect(both.supersedes == gate.id)
        #expect(both.notice == .gateChange)
        #expect(both.facts.gate == "E20")
        #expect(both.facts.oldTerminal == "1")
        #expect(both.facts.terminal == "2")
    }

    @Test func aGateChangeNotAskedForIsNotTold() {
        var script = FlightScript()
        script.preferences.kinds = [.delay]
        #expect(script.gate("A12", "B34", at: at("05:00")).notifications.isEmpty)
    }

    @Test func theHoldIsConfigurable() throws {
        var script = FlightScript()
        script.settings.gateHoldSeconds = 300
        let notification = try #require(script.gate("A12", "B34", at: at("05:00")).notifications.first)
        #expect(notification.dueAt == at("05:05"))
    }
}
