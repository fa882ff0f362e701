import FlightModel
import Foundation
import JSON
import Testing

/// The `flights` row (state payload + provenance) and back.
@Suite struct FlightStateStorageTests {
    var engine = Fixtures.engine()
    let context = PayloadContext(airport: "ZRH", zone: ZoneRules.named("Europe/Zurich")!)

    func roundTrip(_ state: FlightState) throws -> FlightState {
        try FlightState.restore(
            key: state.key, seq: state.seq, updatedAt: state.updatedAt,
            stateJSON: FlightPayload.encode(state, previousSeq: state.seq - 1, context: context),
            provenanceJSON: Array(state.provenanceJSON.utf8))
    }

    @Test mutating func stateSurvivesARoundTripThroughStorage() throws {
        _ = try engine.applied(
            Fixtures.update([(.gate, .text("A12")), (.remark, .text("x"))], feed: "aodb", at: "05:00:00"))
        _ = try engine.applied(
            Fixtures.update(
                [
                    (.remark, nil), (.scheduled, .time(Fixtures.time("06:30"))),
                    (.estimated, .time(Fixtures.time("07:00"))),
                    (.codeshares, .list(["AC6701"])), (.delays, .delays([DelayCode(code: "81", minutes: 30)])),
                    (.status, .status(.delayed)),
                ],
                feed: "fids"), receivedAt: Fixtures.time("05:02"))
        let state = try #require(engine.state(for: Fixtures.departure))
        #expect(state.announcedDelayMinutes == 30)
        #expect(try roundTrip(state) == state)
    }

    @Test mutating func aRestoredEngineKeepsTheMergeRules() throws {
        _ = try engine.applied(Fixtures.update([(.gate, .text("A12")), (.belt, nil)], feed: "aodb", at: "05:00:00"))
        var restarted = Fixtures.engine()
        restarted.load(try roundTrip(try #require(engine.state(for: Fixtures.departure))))
        #expect(
            restarted.apply(
                Fixtures.update([(.gate, .text("Z9"))], feed: "aodb", at: "04:00:00"), receivedAt: Fixtures.received)
                == nil)
        #expect(
            restarted.apply(
                Fixtures.update([(.gate, .text("Z9"))], feed: "fids", at: "05:00:00"), receivedAt: Fixtures.received)
                == nil)
        #expect(
            restarted.apply(
                Fixtures.update([(.belt, .text("3"))], feed: "aodb", at: "04:00:00"), receivedAt: Fixtures.received)
                == nil)
        #expect(
            try restarted.applied(Fixtures.update([(.gate, .text("B1"))], feed: "fids", at: "05:00:01")).state.seq == 2)
    }

    @Test func refusesARowThatIsNotJSONObjects() {
        #expect(throws: (any Error).self) {
            try FlightState.restore(
                key: Fixtures.departure, seq: 1, updatedAt: Fixtures.received, stateJSON: Array("[]".utf8),
                provenanceJSON: Array("{}".utf8))
        }
    }

    /// The provenance written a slot at a time in one piece is the provenance written member
    /// by member (what it was before, kept here as the reference), whatever the slots hold:
    /// times or none, cleared values, feeds that need escaping, negative numbers.
    @Test func provenanceInOnePieceIsTheProvenanceMemberByMember() throws {
        func reference(_ state: FlightState) -> [UInt8] {
            var writer = JSONWriter(capacity: 16)
            writer.beginObject()
            for field in FlightField.allCases {
                guard let slot = state.slot(field) else { continue }
                writer.key(field.name)
                writer.beginObject()
                if let time = slot.sourceTime { writer.field("t", time.millisecondsSinceEpoch) }
                writer.field("f", slot.feed)
                writer.field("p", slot.precedence)
                if slot.value == nil {
                    writer.key("c")
                    writer.bool(true)
                }
                writer.endObject()
            }
            if let announced = state.announcedDelayMinutes { writer.field("_announced_delay", announced) }
            writer.field("_first_seen", state.firstSeen.millisecondsSinceEpoch)
            writer.endObject()
            return writer.bytes
        }
        let feeds = ["aodb", "fids-2", "", "a\"quote", "back\\slash", "Zürich", "tab\tfeed", String(repeating: "f", count: 300)]
        let times: [Timestamp?] = [nil, Timestamp(millisecondsSinceEpoch: 1_764_000_000_000), Timestamp(millisecondsSinceEpoch: -1), Timestamp(millisecondsSinceEpoch: 0)]
        var random = SystemRandomNumberGenerator()
        for round in 0..<500 {
            var state = FlightState(
                key: Fixtures.departure, seq: 3, firstSeen: Timestamp(millisecondsSinceEpoch: Int64(round) * 7 - 1_000))
            state.announcedDelayMinutes = round % 3 == 0 ? nil : round - 250
            for field in FlightField.allCases where Bool.random(using: &random) {
                state.setSlot(
                    field,
                    FlightState.Slot(
                        value: Bool.random(using: &random) ? nil : .text("v"), sourceTime: times.randomElement(using: &random)!,
                        feed: feeds.randomElement(using: &random)!, precedence: Int.random(in: -1_000...Int.max, using: &random)))
            }
            #expect(state.provenanceBytes == reference(state), "\(state.provenanceJSON)")
        }
    }
}
