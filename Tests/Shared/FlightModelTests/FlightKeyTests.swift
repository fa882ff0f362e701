import FlightModel
import Testing

@Suite struct FlightKeyTests {
    let date = FlightDate("2026-11-24")!

    @Test func buildsTheFlightIDOfTheDesign() throws {
        #expect(
            try FlightKey(airline: "LX", number: "1234", date: date, direction: .departure).flightID
                == "LX1234-20261124-D")
        #expect(
            try FlightKey(
                airline: "BA", number: "117", suffix: "A", date: FlightDate("2026-11-23")!, direction: .arrival
            )
            .flightID == "BA0117A-20261123-A")
        #expect(
            try FlightKey(airline: "EZY", number: "12", date: date, direction: .arrival).flightID
                == "EZY0012-20261124-A")
        #expect(
            try FlightKey(airline: "U2", number: "1", date: date, direction: .arrival).flightID == "U20001-20261124-A")
    }

    @Test func normalisesCaseSpacesAndPadding() throws {
        let key = try FlightKey(airline: " jq", number: " 355 ", suffix: "b", date: date, direction: .departure)
        #expect(key.airline == "JQ")
        #expect(key.number == "0355")
        #expect(key.suffix == "B")
        #expect(key.flightID == "JQ0355B-20261124-D")
        #expect(
            try FlightKey(airline: "LX", number: "1234", suffix: "", date: date, direction: .departure).suffix == nil)
        #expect(
            try FlightKey(airline: "LX", number: "1234", suffix: " ", date: date, direction: .departure).suffix == nil)
    }

    @Test(
        arguments: [
            ("L", "1", nil), ("LXAB", "1", nil), ("12", "1", nil), ("EZ1", "1", nil), ("123", "1", nil),
            ("L-", "1", nil), ("ÄB", "1", nil), ("", "1", nil),
            ("LX", "12345", nil), ("LX", "", nil), ("LX", "12a", nil), ("LX", "-12", nil), ("LX", "１２", nil),
            ("LX", "1 2", nil), ("LX", "12", "AB"), ("LX", "12", "1"), ("LX", "12", "é"),
        ] as [(String, String, String?)])
    func refusesIdentitiesThatAreNoFlight(airline: String, number: String, suffix: String?) {
        #expect(throws: FlightKey.Problem.self) {
            try FlightKey(airline: airline, number: number, suffix: suffix, date: date, direction: .arrival)
        }
        #expect(FlightKey(validating: airline, number: number, suffix: suffix, date: date, direction: .arrival) == nil)
    }

    @Test func namesThePartThatIsWrong() {
        #expect {
            try FlightKey(airline: "LX", number: "12345", date: date, direction: .arrival)
        } throws: { error in
            (error as? FlightKey.Problem)?.message.contains("12345") == true
        }
    }

    @Test(arguments: [
        "LX1234-20261124-D", "BA0117A-20261123-A", "EZY0012-20261124-A", "EZY0012B-20261124-D", "U20001-20261124-A",
    ])
    func parsesFlightIDsBack(id: String) throws {
        let key = try #require(FlightKey(flightID: id))
        #expect(key.flightID == id)
        #expect(
            try FlightKey(
                airline: key.airline, number: key.number, suffix: key.suffix, date: key.date, direction: key.direction)
                == key)
    }

    @Test func parsesThePartsOfAFlightID() throws {
        let key = try #require(FlightKey(flightID: "BA0117A-20261123-A"))
        #expect(key.airline == "BA")
        #expect(key.number == "0117")
        #expect(key.suffix == "A")
        #expect(key.date == FlightDate("2026-11-23"))
        #expect(key.direction == .arrival)
    }

    @Test(arguments: [
        "", "nonsense", "LX1234-20261324-D", "LX1234-20261124-X", "LX1234-20261124", "LX1234-2026112-D",
        "LX123-20261124-D",
        "lx1234-20261124-D", "LX12345-20261124-D", "LX1234AB-20261124-D", "L1234-20261124-D", "LX1234-20261124-D-",
        "LX1234--20261124-D", "LX1234-20261124-d", "1231234-20261124-D", "LX1234A-20260230-A", "-LX1234-20261124-D",
    ])
    func refusesTextThatIsNoFlightID(id: String) {
        #expect(FlightKey(flightID: id) == nil)
    }

    @Test func keysWithTheSameIDAreEqualAndHashAlike() throws {
        let a = try FlightKey(airline: "lx", number: "1234", date: date, direction: .departure)
        let b = try #require(FlightKey(flightID: "LX1234-20261124-D"))
        #expect(a == b)
        #expect(Set([a, b]).count == 1)
        #expect(a != (try FlightKey(airline: "LX", number: "1234", date: date, direction: .arrival)))
    }

    @Test func directionsHaveTheirLetters() {
        #expect(Direction.arrival.letter == "A")
        #expect(Direction.departure.letter == "D")
        #expect(Direction(letter: "D") == .departure)
        #expect(Direction(letter: "d") == nil)
        #expect(Direction(rawValue: "arrival") == .arrival)
        #expect(Direction(rawValue: "departure") == .departure)
        for name in ["Arrival", "arrivaL", "departur", "departures", " arrival", "", "A", "D", "arrival\u{301}"] {
            #expect(Direction(rawValue: name) == nil, "\(name)")
        }
        #expect(Direction.allCases.map(\.rawValue) == ["arrival", "departure"])
    }
}

/// The hashed id that keys the tables of flights: equal exactly when the ids are, whichever
/// string instance the id came in, and found again in a dictionary from any of them.
@Suite struct HashedFlightIDTests {
    @Test func equalExactlyWhenTheIdsAreAndFoundFromAnyInstance() throws {
        let decoded = try FlightKey(airline: "lx", number: "12", date: FlightDate("2026-11-24")!, direction: .departure)
        let typed = String("LX0012-20261124-D".utf8.map { Character(UnicodeScalar($0)) })
        #expect(decoded.hashedID == HashedFlightID(typed))
        #expect(decoded.hashedID.hashValue == HashedFlightID(typed).hashValue)
        #expect(decoded.hashedID != HashedFlightID("LX0012-20261124-A"))
        #expect(decoded == (try #require(FlightKey(flightID: typed))))
        var table: [HashedFlightID: Int] = [:]
        for number in 0..<2_000 { table[HashedFlightID("LX\(number)-20261124-D")] = number }
        table[decoded.hashedID] = -1
        #expect(table[HashedFlightID(typed)] == -1)
        #expect((0..<2_000).allSatisfy { (number: Int) in table[HashedFlightID("LX\(number)-20261124-D")] == number })
        #expect(table[HashedFlightID("LX0012-20261124-A")] == nil)
    }

    /// Longer ids than a flight's (any text a lookup may bring) are told apart by all of their
    /// text, and found again from another instance of it.
    @Test func idsThatDifferPastTheirFirst24BytesDiffer() {
        let head = String(repeating: "X", count: 24)
        let first = HashedFlightID(head + "-1")
        let again = HashedFlightID(String((head + "-1").reversed().reversed()))
        #expect(first == again)
        #expect(first.hashValue == again.hashValue)
        #expect(first != HashedFlightID(head + "-2"))
        #expect(first != HashedFlightID(head))
        #expect(HashedFlightID(head) != HashedFlightID(head + "\u{0}"))
        #expect(HashedFlightID("") == HashedFlightID(String()))
        let table = Dictionary(uniqueKeysWithValues: (0..<500).map { (HashedFlightID(head + "-\($0)"), $0) })
        #expect((0..<500).allSatisfy { (number: Int) in table[HashedFlightID(head + "-\(number)")] == number })
    }
}
