import FlightModel
import Foundation
import NotificationRules
import Testing

@Suite struct RelayEventTests {
    static let sample = """
        {"schema":"flightedge.event/1","event_id":"1f0c2a4e-1111-5222-8333-444455556666","kind":"gate-change",
         "airport":"ZRH","flight_id":"LX1234-20261124-D","seq":17,"occurred_at":"2026-11-24T05:58:12Z",
         "observed_at":"2026-11-24T05:58:12.311Z","source":{"feed":"aodb","position":"p"},
         "flight":{"airline":"LX","number":"1234","direction":"departure","date":"2026-11-24",
         "origin":"ZRH","destination":"LHR","scheduled":"2026-11-24T06:30:00Z",
         "scheduled_local":"2026-11-24T07:30:00+01:00"},
         "previous":{"gate":"A12"},"current":{"gate":"B34","terminal":null},"stream_seq":1234}
        """

    @Test func theDocumentedEventParses() throws {
        let event = try RelayEvent(json: Array(Self.sample.utf8))
        #expect(event.kind == .gateChange)
        #expect(event.flightID == "LX1234-20261124-D")
        #expect(event.seq == 17)
        #expect(event.occurredAt == Timestamp(iso8601: "2026-11-24T05:58:12Z"))
        #expect(event.flight.label == "LX 1234")
        #expect(event.flight.direction == .departure)
        #expect(event.flight.scheduled == Timestamp(iso8601: "2026-11-24T06:30:00Z"))
        #expect(event.previous.text("gate") == "A12")
        #expect(event.current.text("gate") == "B34")
        #expect(event.current.contains("terminal") && event.current.text("terminal") == nil)
        #expect(!event.previous.contains("terminal"))
        #expect(event.delayMinutes == nil)
    }

    @Test(arguments: [
        ("\"seq\":17", "\"seq\":\"17\"", "seq"),
        ("\"direction\":\"departure\"", "\"direction\":\"sideways\"", "flight.direction"),
        ("\"kind\":\"gate-change\"", "\"kind\":\"gate-moved\"", "kind"),
        ("\"occurred_at\":\"2026-11-24T05:58:12Z\"", "\"occurred_at\":\"yesterday\"", "occurred_at"),
        ("\"airline\":\"LX\",", "", "flight.airline"),
        ("\"previous\":{\"gate\":\"A12\"}", "\"previous\":[]", "previous"),
    ])
    func aBadEventNamesItsMember(original: String, replacement: String, field: String) {
        let text = Self.sample.replacingOccurrences(of: original, with: replacement)
        #expect(text != Self.sample)
        let error = #expect(throws: RelayEventError.self) { try RelayEvent(json: Array(text.utf8)) }
        #expect(error?.field == field)
    }

    @Test func bytesThatAreNoJSONSaySo() {
        let error = #expect(throws: RelayEventError.self) { try RelayEvent(json: Array("{".utf8)) }
        #expect(error?.code == .notJSON)
    }
}
