import FlightModel
import Foundation
import JSON
import Testing

/// The retained `flights/{flight_id}` payload.
@Suite struct FlightPayloadTests {
    var engine = Fixtures.engine()
    let context = PayloadContext(airport: "ZRH", zone: ZoneRules.named("Europe/Zurich")!)

    @Test mutating func holdsIdentityKnownValuesLocalTimesAndDelay() throws {
        let state = try engine.applied(
            Fixtures.update(
                [
                    (.destination, .text("LHR")), (.scheduled, .time(Fixtures.time("06:30"))),
                    (.estimated, .time(Fixtures.time("06:55"))), (.actual, .time(Fixtures.time("07:02"))),
                    (.gate, .text("A12")), (.remark, nil), (.codeshares, .list(["AC6701"])),
                ], key: Fixtures.departure), receivedAt: Timestamp(iso8601: "2026-11-24T05:58:12.311Z")!
        ).state
        let text = String(decoding: FlightPayload.encode(state, previousSeq: 0, context: context), as: UTF8.self)
        #expect(
            text.hasPrefix(
                #"{"schema":"flightedge.flight/1","airport":"ZRH","flight_id":"LX1234-20261124-D","seq":1,"prev_seq":0,"#
            ))
        #expect(
            text.contains(
                #""as_of":"2026-11-24T05:58:12.311Z","airline":"LX","number":"1234","date":"2026-11-24","direction":"departure""#
            ))
        #expect(text.contains(#""scheduled":"2026-11-24T06:30:00Z","scheduled_local":"2026-11-24T07:30:00+01:00""#))
        #expect(text.contains(#""estimated":"2026-11-24T06:55:00Z","estimated_local":"2026-11-24T07:55:00+01:00""#))
        #expect(text.contains(#""actual":"2026-11-24T07:02:00Z","actual_local":"2026-11-24T08:02:00+01:00""#))
        #expect(text.contains(#""codeshares":["AC6701"]"#))
        #expect(text.contains(#""delay_minutes":25"#))
        #expect(!text.contains("remark"))
        #expect(throws: Never.self) { try JSONParser.parse(Array(text.utf8)) }
    }

    @Test func localTimesFollowDaylightSaving() {
        let summer = Timestamp(iso8601: "2026-07-01T06:30:00Z")!
        #expect(context.local(summer) == "2026-07-01T08:30:00+02:00")
        #expect(context.offsetSeconds(at: Fixtures.time("06:30")) == 3600)
    }
}
