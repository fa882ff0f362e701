import FlightModel
import NotificationRules
import Testing

@Suite struct DelayRuleTests {
    @Test func tenMinutesLateSendsNothing() {
        var script = FlightScript()
        let plan = script.delay(10, at: at("04:00"))
        #expect(plan.notifications.isEmpty)
        #expect(plan.view.told.delayMinutes == nil)
    }

    @Test func thresholdThenStepsThenBackOnTime() throws {
        var script = FlightScript()
        #expect(script.delay(10, at: at("04:00")).notifications.isEmpty)

        let thirty = try #require(script.delay(30, at: at("04:05")).notifications.first)
        #expect(thirty.notice == .delay)
        #expect(thirty.facts.delayMinutes == 30)
        #expect(thirty.facts.estimated == at("07:00"))
        #expect(thirty.dueAt == at("04:05"))
        #expect(!thirty.urgent)
        #expect(script.view.told.delayMinutes == 30)

        #expect(
            script.delay(45, at: at("04:10")).notifications.isEmpty, "15 minutes from what was told is under the step")

        let sixtyTwo = try #require(script.delay(62, at: at("04:15")).notifications.first)
        #expect(sixtyTwo.notice == .delay)
        #expect(sixtyTwo.facts.delayMinutes == 62)

        let back = try #require(script.delay(5, at: at("04:20")).notifications.first)
        #expect(back.notice == .backOnTime)
        #expect(script.view.told.delayMinutes == nil)
        #expect(script.delay(8, at: at("04:25")).notifications.isEmpty, "on time already told")
    }

    @Test func aDelayShrinkingByAStepIsToldToo() {
        var script = FlightScript()
        #expect(script.delay(95, at: at("04:00")).notifications.count == 1)
        #expect(script.delay(70, at: at("04:05")).notifications.isEmpty)
        let plan = script.delay(64, at: at("04:10"))
        #expect(plan.notifications.map(\.facts.delayMinutes) == [64])
    }

    @Test func aDelayNobodyAskedForIsNotTold() {
        var script = FlightScript()
        script.preferences.kinds = [.gateChange]
        #expect(script.delay(90, at: at("04:00")).notifications.isEmpty)
    }

    @Test func settingsMoveTheThresholdAndStep() {
        var script = FlightScript()
        script.settings = RulesSettings(delayThresholdMinutes: 15, delayStepMinutes: 10)
        #expect(script.delay(15, at: at("04:00")).notifications.count == 1)
        #expect(script.delay(24, at: at("04:05")).notifications.isEmpty)
        #expect(script.delay(25, at: at("04:10")).notifications.count == 1)
    }
}
