import FlightModel
import Testing

@Suite struct FlightUpdateTests {
    @Test func everyFieldStartsAbsent() {
        let update = FlightUpdate(key: Fixtures.departure, feed: "aodb")
        for field in FlightField.allCases { #expect(update[field] == .absent) }
        #expect(update.isEmpty)
        #expect(update.facts.isEmpty)
    }

    /// Facts are kept for mentioned fields only: setting, clearing and removing them in any
    /// order reads back like one fact per field would, and equal updates compare equal however
    /// they were built.
    @Test func factsSetClearedAndRemovedInAnyOrderReadBackAsSet() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<200 {
            var update = FlightUpdate(key: Fixtures.departure, feed: "aodb")
            var reference: [FlightField: FlightUpdate.Fact] = [:]
            for step in 0..<30 {
                let field = FlightField.allCases.randomElement(using: &generator)!
                let fact: FlightUpdate.Fact
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: fact = .absent
                case 1: fact = .cleared
                default: fact = .value(Self.value(of: field, step))
                }
                update[field] = fact
                reference[field] = fact == .absent ? nil : fact
            }
            for field in FlightField.allCases { #expect(update[field] == (reference[field] ?? .absent)) }
            #expect(update.presentFields == FlightField.allCases.filter { reference[$0] != nil })
            #expect(update.isEmpty == reference.isEmpty)
            #expect(update.facts.map(\.0) == update.presentFields)
            var rebuilt = FlightUpdate(key: Fixtures.departure, feed: "aodb")
            for (field, fact) in reference.shuffled(using: &generator) { rebuilt[field] = fact }
            #expect(rebuilt == update && rebuilt.hashValue == update.hashValue)
        }
    }

    private static func value(of field: FlightField, _ step: Int) -> FieldValue {
        switch field.kind {
        case .text: .text("v\(step)")
        case .time: .time(Fixtures.received)
        case .status: .status(.boarding)
        case .list: .list(["LX\(step)"])
        case .delays: .delays([DelayCode(code: "81", minutes: step)])
        }
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
