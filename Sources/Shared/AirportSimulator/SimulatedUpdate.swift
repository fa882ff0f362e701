/// What one simulated message says, before it is written in a feed format: the flight and the
/// facts that changed, as the jsonl line names them (DESIGN.md §3).
struct SimulatedUpdate: Sendable {
    /// The flight a message is about.
    struct Flight: Sendable {
        var airline: String
        var number: String
        /// `yyyy-MM-dd`, the flight's date.
        var date: String
        var departure: Bool
        /// Our airport.
        var airport: String
        /// Where the flight comes from or goes to.
        var other: String

        var origin: String { departure ? airport : other }
        var destination: String { departure ? other : airport }
        /// The flight's key within the day: a number is used once per airline.
        var key: String { airline + number + (departure ? "D" : "A") }
    }

    /// A fact of one update: a field name and its value (nil: cleared).
    typealias Fact = (field: String, value: Value?)

    enum Value: Sendable {
        case text(String)
        /// Seconds since 1970, UTC.
        case time(Int64)
        case list([String])
    }

    var flight: Flight
    var facts: [Fact]

    /// The fact for `field`: nil when the update does not name it, `.some(nil)` when it clears it.
    subscript(field: String) -> Value?? {
        for fact in facts where fact.field == field { return .some(fact.value) }
        return nil
    }

    func text(_ field: String) -> String? {
        if case .text(let text)?? = self[field] { return text }
        return nil
    }

    func time(_ field: String) -> Int64? {
        if case .time(let time)?? = self[field] { return time }
        return nil
    }
}
