import FlightModel
import JSON
import NotificationRules
import Testing

@Suite struct StoredStateTests {
    @Test func aPassengerViewRoundTripsThroughJSON() throws {
        var script = FlightScript()
        script.preferences = SubscriptionPreferences(quietHours: QuietHours(from: "00:00", to: "06:00"))
        _ = script.apply(
            script.event(.terminalChange, at: at("03:50"), previous: ["terminal": "1"], current: ["terminal": "1"]))
        _ = script.gate("A12", "B34", at: at("04:00"))
        _ = script.gate("B34", "C\"<56>", at: at("04:01"))
        _ = script.delay(45, at: at("04:02:00.250"))
        let view = script.view
        #expect(view.pending.count == 2)
        #expect(view.pendingNotifications.map(\.topic) == [.gate, .time])
        let bytes = view.json
        let copy = try PassengerView(json: bytes)
        #expect(copy == view)
        let parsed = try JSONParser.parse(bytes)
        #expect(try PassengerView(json: parsed) == view)

        let empty = PassengerView()
        #expect(try PassengerView(json: empty.json) == empty)
        #expect(
            String(decoding: empty.json, as: UTF8.self)
                == #"{"version":1,"kinds_at_last_seq":[],"told":{},"known":{},"pending":[]}"#)
    }

    @Test func aDamagedViewNamesTheMember() {
        let text = #"{"version":1,"kinds_at_last_seq":[],"told":{},"known":{},"pending":[{"id":"x"}]}"#
        let error = #expect(throws: StoredStateError.self) { try PassengerView(json: Array(text.utf8)) }
        #expect(error?.field == "pending[0].event_id")
        #expect(throws: StoredStateError.self) { try PassengerView(json: Array(#"{"version":2}"#.utf8)) }
        #expect(throws: StoredStateError.self) { try PassengerView(json: Array("not json".utf8)) }
    }

    @Test func aPlannedNotificationRoundTripsThroughJSON() throws {
        var script = FlightScript()
        let notification = try #require(script.gate("A12", "B34", at: at("05:00")).notifications.first)
        #expect(try PlannedNotification(json: notification.json) == notification)
    }
}
