import FlightModel
import Foundation
import JSON
import Testing

/// The `events/{kind}` payload of DESIGN.md §5.
@Suite struct EventPayloadTests {
    var engine = Fixtures.engine()
    let context = PayloadContext(airport: "ZRH", zone: ZoneRules.named("Europe/Zurich")!)

    func object(_ bytes: [UInt8]) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(bytes) else {
            throw FieldProblem(field: .gate, "not an object")
        }
        return object
    }

    @Test mutating func aGateChangeLooksLikeTheDesignsExample() throws {
        _ = try engine.applied(
            Fixtures.update([
                (.origin, .text("ZRH")), (.destination, .text("LHR")), (.scheduled, .time(Fixtures.time("06:30"))),
                (.gate, .text("A12")),
            ]))
        let applied = try engine.applied(Fixtures.update([(.gate, .text("B34"))], at: "05:58:12"))
        let event = try #require(applied.events.first)
        let payload = EventPayload.encode(
            event, state: applied.state, feed: "aodb", position: "p",
            observedAt: Timestamp(iso8601: "2026-11-24T05:58:12.311Z")!,
            context: context)
        let json = try object(payload)
        #expect(json["schema"] == .string("flightedge.event/1"))
        #expect(json["event_id"] == .string(event.eventID))
        #expect(json["kind"] == .string("gate-change"))
        #expect(json["airport"] == .string("ZRH"))
        #expect(json["flight_id"] == .string("LX1234-20261124-D"))
        #expect(json["seq"] == .number("2"))
        #expect(json["occurred_at"] == .string("2026-11-24T05:58:12Z"))
        #expect(json["observed_at"] == .string("2026-11-24T05:58:12.311Z"))
        let text = String(decoding: payload, as: UTF8.self)
        #expect(text.contains(#""source":{"feed":"aodb","position":"p"}"#))
        #expect(text.contains(#""scheduled":"2026-11-24T06:30:00Z","scheduled_local":"2026-11-24T07:30:00+01:00""#))
        #expect(text.contains(#""previous":{"gate":"A12"},"current":{"gate":"B34"}"#))
        #expect(json["delay_minutes"] == nil)
    }

    @Test mutating func aClearedPreviousValueIsNullAndAnUnknownOneIsMissing() throws {
        _ = try engine.applied(Fixtures.update([(.gate, nil)]))
        let applied = try engine.applied(Fixtures.update([(.gate, .text("A12"))]))
        let cleared = String(
            decoding: EventPayload.encode(
                try applied.firstEvent, state: applied.state, feed: "aodb", position: "", observedAt: Fixtures.received,
                context: context),
            as: UTF8.self)
        #expect(cleared.contains(#""previous":{"gate":null}"#))

        let fresh = try engine.applied(Fixtures.update([(.gate, .text("C1"))], key: Fixtures.arrival))
        let unknown = String(
            decoding: EventPayload.encode(
                try fresh.firstEvent, state: fresh.state, feed: "aodb", position: "", observedAt: Fixtures.received,
                context: context),
            as: UTF8.self)
        #expect(unknown.contains(#""previous":{},"current":{"gate":"C1"}"#))
    }

    @Test mutating func aDelayCarriesItsMinutes() throws {
        let applied = try engine.applied(
            Fixtures.update([
                (.scheduled, .time(Fixtures.time("06:30"))), (.estimated, .time(Fixtures.time("07:10"))),
            ]))
        let json = try object(
            EventPayload.encode(
                try applied.firstEvent, state: applied.state, feed: "aodb", position: "", observedAt: Fixtures.received,
                context: context))
        #expect(json["kind"] == .string("delay"))
        #expect(json["delay_minutes"] == .number("40"))
        #expect(json["current"] == .object(JSONObject(members: [("estimated", .string("2026-11-24T07:10:00Z"))])))
    }
}
