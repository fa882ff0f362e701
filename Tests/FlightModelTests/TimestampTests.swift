import FlightModel
import Testing

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-24T06:30:00Z", "2026-11-24T06:30:00Z"),
        ("2026-11-24T06:30Z", "2026-11-24T06:30:00Z"),
        ("2026-11-24T06:30:00", "2026-11-24T06:30:00Z"),
        ("2026-11-24T07:30:00+01:00", "2026-11-24T06:30:00Z"),
        ("2026-11-24T01:00:00-0530", "2026-11-24T06:30:00Z"),
        ("2026-11-24T06:30:00.5Z", "2026-11-24T06:30:00.500Z"),
        ("2026-11-24T06:30:00.123456789Z", "2026-11-24T06:30:00.123Z"),
        ("2026-11-24 06:30:00Z", "2026-11-24T06:30:00Z"),
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
        ("2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00Z"),
    ])
    func parsesISO8601Variants(input: String, expected: String) {
        #expect(Timestamp(iso8601: input)?.iso8601 == expected)
    }

    @Test(arguments: [
        "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z", "2026-11-24T24:00:00Z",
        "2026-11-24T06:60:00Z", "2026-11-24T06:30:00.Z", "2026-11-24T06:30:00.1234567890Z", "2026-11-24",
        "not a time at all", "2026-11-24T06:30:00+25:00", "2026-11-24T06:30:00ZZ", "99999999999999999999999999",
    ])
    func refusesImpossibleOrMalformedTimes(input: String) {
        #expect(Timestamp(iso8601: input) == nil)
    }

    @Test func formatsLocalTimeWithItsOffset() {
        let time = Timestamp(iso8601: "2026-11-24T06:30:00Z")!
        #expect(time.iso8601(offsetSeconds: 3600) == "2026-11-24T07:30:00+01:00")
        #expect(time.iso8601(offsetSeconds: -5 * 3600 - 1800) == "2026-11-24T01:00:00-05:30")
        #expect(time.dateString == "2026-11-24")
    }

    @Test func garbageNeverTraps() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789-:TZ+.,  ")
        for _ in 0..<5_000 {
            let text = String((0..<Int.random(in: 0..<32, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            _ = Timestamp(iso8601: text)
        }
    }
}

@Suite struct FlightKeyTests {
    @Test func buildsTheFlightIDOfDesign() throws {
        let date = FlightDate("2026-11-24")!
        #expect(try FlightKey(airline: "LX", number: "1234", date: date, direction: .departure).flightID == "LX1234-20261124-D")
        #expect(try FlightKey(airline: "jq", number: "355", date: date, direction: .departure).flightID == "JQ0355-20261124-D")
        #expect(try FlightKey(airline: "BA", number: "117", suffix: "a", date: FlightDate("2026-11-23")!, direction: .arrival).flightID
            == "BA0117A-20261123-A")
        #expect(try FlightKey(airline: "EZY", number: "12", date: date, direction: .arrival).flightID == "EZY0012-20261124-A")
    }

    @Test func refusesBadIdentities() {
        let date = FlightDate("2026-11-24")!
        #expect(throws: FlightKey.Problem.self) { try FlightKey(airline: "L", number: "1", date: date, direction: .arrival) }
        #expect(throws: FlightKey.Problem.self) { try FlightKey(airline: "LX", number: "12345", date: date, direction: .arrival) }
        #expect(throws: FlightKey.Problem.self) { try FlightKey(airline: "LX", number: "12a", date: date, direction: .arrival) }
        #expect(throws: FlightKey.Problem.self) { try FlightKey(airline: "LX", number: "12", suffix: "AB", date: date, direction: .arrival) }
        #expect(FlightDate("2026-02-30") == nil)
    }

    @Test func parsesFlightIDsBack() {
        for id in ["LX1234-20261124-D", "BA0117A-20261123-A", "EZY0012-20261124-A"] {
            #expect(FlightKey(flightID: id)?.flightID == id)
        }
        #expect(FlightKey(flightID: "LX1234-20261324-D") == nil)
        #expect(FlightKey(flightID: "nonsense") == nil)
    }
}

@Suite struct UUIDv5Tests {
    @Test func matchesTheKnownVector() {
        // uuid.uuid5(uuid.NAMESPACE_DNS, "python.org")
        #expect(UUIDv5.string(UUIDv5.make(namespace: UUIDv5.dnsNamespace, name: "python.org")) == "886313e1-3b8a-5372-9b90-0c9aee199e5d")
    }
}
