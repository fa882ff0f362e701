import FlightModel
import NotificationRules
import Testing

@Suite struct StatusRuleTests {
    @Test func aCancellationGoesAtOnceAndCallsOffWhatIsPending() throws {
        var script = FlightScript()
        let gate = try #require(script.gate("A12", "B34", at: at("05:00:00")).notifications.first)
        let plan = script.apply(
            script.event(
                .cancellation, at: at("05:00:30"), previous: ["status": "scheduled"], current: ["status": "cancelled"]))
        let cancellation = try #require(plan.notifications.first)
        #expect(cancellation.notice == .cancellation)
        #expect(cancellation.urgent)
        #expect(cancellation.dueAt == at("05:00:30"))
        #expect(cancellation.replaceKey == "LX1234-20261124-D_status")
        #expect(plan.cancellations == [Cancellation(id: gate.id, topic: .gate, reason: .obsolete)])
        #expect(script.view.told.condition == .cancelled)
        #expect(script.view.pending.isEmpty)
        #expect(script.delay(90, at: at("05:05")).notifications.isEmpty, "no delays of a cancelled flight")
    }

    @Test func cancellationDiversionAndReinstatementAreToldEvenWhenNotAskedFor() throws {
        var script = FlightScript()
        script.preferences.kinds = [.delay]
        #expect(
            script.apply(script.event(.cancellation, at: at("05:00"), current: ["status": "cancelled"])).notifications
                .count == 1)
        let back = try #require(
            script.apply(
                script.event(
                    .reinstatement, at: at("05:30"), previous: ["status": "cancelled"], current: ["status": "scheduled"]
                )
            ).notifications.first)
        #expect(back.notice == .reinstatement)
        #expect(back.urgent)
        #expect(script.view.told.condition == nil)
        let diversion = try #require(
            script.apply(
                script.event(
                    .diversion, at: at("07:30"), previous: ["destination": "LHR"],
                    current: ["status": "diverted", "destination": "LGW"])
            ).notifications.first)
        #expect(diversion.facts.divertedTo == "LGW")
        #expect(diversion.urgent)
    }

    @Test func boardingGateClosedBeltDepartureAndArrivalOnlyWhenAskedFor() {
        var quiet = FlightScript()
        #expect(
            quiet.apply(quiet.event(.boarding, at: at("06:00"), current: ["status": "boarding", "gate": "B34"]))
                .notifications.isEmpty)
        #expect(
            quiet.apply(quiet.event(.gateClosed, at: at("06:20"), current: ["status": "gate-closed"])).notifications
                .isEmpty)
        #expect(
            quiet.apply(
                quiet.event(
                    .departure, at: at("06:35"), current: ["status": "departed", "actual": "2026-11-24T06:35:00Z"])
            ).notifications.isEmpty)

        var asked = FlightScript()
        asked.preferences.kinds = [.boarding, .departure, .beltChange]
        let boarding = asked.apply(
            asked.event(.boarding, at: at("06:00"), current: ["status": "boarding", "gate": "B34"]))
        #expect(boarding.notifications.map(\.notice) == [.boarding])
        #expect(boarding.notifications.first?.facts.gate == "B34")
        #expect(
            asked.apply(asked.event(.gateClosed, at: at("06:20"), current: ["status": "gate-closed"])).notifications
                .isEmpty)
        let departure = asked.apply(
            asked.event(.departure, at: at("06:35"), current: ["status": "departed", "actual": "2026-11-24T06:35:00Z"]))
        #expect(departure.notifications.first?.facts.actual == at("06:35"))
        let belt = asked.apply(asked.event(.beltChange, at: at("08:00"), previous: [:], current: ["belt": "12"]))
        #expect(belt.notifications.first?.facts.belt == "12")
        #expect(
            asked.apply(asked.event(.beltChange, at: at("08:01"), previous: ["belt": "12"], current: ["belt": "12"]))
                .notifications.isEmpty)
    }

    @Test func aReinstatementBeforeTheCancellationWentOutTakesBothBack() throws {
        var script = FlightScript()
        // The event says it happened a minute after the relay's clock: the cancellation waits until then.
        let cancellation = try #require(
            script.apply(
                script.event(.cancellation, at: at("05:01"), current: ["status": "cancelled"]), now: at("05:00")
            ).notifications.first)
        let reinstated = script.apply(
            script.event(.reinstatement, at: at("05:01"), current: ["status": "scheduled"]), now: at("05:00:30"))
        #expect(reinstated.notifications.isEmpty)
        #expect(reinstated.cancellations.map(\.id) == [cancellation.id])
    }
}
