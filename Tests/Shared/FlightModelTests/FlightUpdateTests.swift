import FlightModel
import Testing

@Suite struct FlightUpdateTests {
    @Test func everyFieldStartsAbsent() {
        let update = FlightUpdate(key: Fixtures.departure, feed: "aodb")
        for field in FlightField.allCases { #expect(update[field] == .absent) }
        #expect(update.isEmpty)
        #expect(update.facts.isEmpty)
    }

    @Test func absentClearedAndSetAreThreeDifferentThings() {
        var update = FlightUpdate(key: Fixtures.departure, feed: "aodb")
        update.set(.gate, .text("A12"))
        update.clear(.belt)
        update.set(.remark, nil)
        #expect(update[.gate] == .value(.text("A12")))
        #expect(update[.belt] == .cleared)
        #expect(update[.remark] == .cleared)
        #expect(update[.stand] == .absent)
        #expect(update.presentFields == [.gate, .belt, .remark])
        #expect(update[.gate].valueOrCleared == .some(.text("A12")))
        #expect(update[.belt].valueOrCleared == .some(nil))
        #expect(update[.stand].valueOrCleared == nil)
    }

    @Test func factsListsWhatTheUpdateSaysInFieldOrder() {
        let update = Fixtures.update([
            (.remark, nil), (.gate, .text("A12")), (.scheduled, .time(Fixtures.time("06:30"))),
        ])
        let facts = update.facts
        #expect(facts.map(\.0) == [.scheduled, .gate, .remark])
        #expect(facts.map(\.1) == [.time(Fixtures.time("06:30")), .text("A12"), nil])
    }

    @Test func aLaterFactAboutTheSameFieldWins() {
        var update = Fixtures.update([(.gate, .text("A12")), (.gate, .text("B34"))])
        #expect(update[.gate] == .value(.text("B34")))
        update[.gate] = .cleared
        #expect(update[.gate] == .cleared)
        update.remove(.gate)
        #expect(update[.gate] == .absent)
        #expect(update.isEmpty)
    }
}
