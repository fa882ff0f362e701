import FlightModel
import Foundation
import Testing

/// The `flights` row (state payload + provenance) and back.
@Suite struct FlightStateStorageTests {
    var engine = Fixtures.engine()
    let context = PayloadContext(airport: "ZRH", timeZone: TimeZone(identifier: "Europe/Zurich")!)

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
}
