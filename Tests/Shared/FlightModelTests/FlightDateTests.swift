import FlightModel
import JSON
import Testing

@Suite struct FlightDateTests {
    @Test func parsesAndFormatsTheOperationalDate() throws {
        let date = try #require(FlightDate("2026-11-24"))
        #expect((date.year, date.month, date.day) == (2026, 11, 24))
        #expect(date.description == "2026-11-24")
        #expect(date.compact == "20261124")
        #expect(FlightDate(compact: "20261124") == date)
        #expect(date.midnightUTC.iso8601 == "2026-11-24T00:00:00Z")
    }

    @Test(arguments: [
        "2026-02-30", "2025-02-29", "2026-13-01", "2026-00-01", "2026-01-00", "2026-1-01", "2026-01-1", "26-01-01",
        "2026-01-01T", "2026/01/01", "1899-12-31", "3000-01-01", "", "yyyy-mm-dd", "２０２６-01-01",
    ])
    func refusesAnythingButAPossibleDate(text: String) {
        #expect(FlightDate(text) == nil)
        #expect(Array(text.utf8).withUnsafeBufferPointer { FlightDate(utf8: $0) } == nil)
        #expect(FlightDate(text[...]) == nil)  // the generic initializer, as for a String
        #expect(FlightDate(" \(text)"[...].dropFirst()) == nil)
    }

    @Test(arguments: ["2026-11-24", "2028-02-29", "1900-01-01", "2999-12-31"])
    func aStringAndASubstringGiveTheSameDate(text: String) throws {
        let date = try #require(FlightDate(text))
        #expect(FlightDate(text[...]) == date)
        #expect(FlightDate("[\(text)]".dropFirst().dropLast()) == date)
        #expect(Array(text.utf8).withUnsafeBufferPointer { FlightDate(utf8: $0) } == date)
        #expect(date.description == text)
    }

    @Test(arguments: ["20260230", "2026113", "202611240", "2026-1124", "20261324", "18991231", ""])
    func refusesAnythingButAPossibleCompactDate(text: String) {
        #expect(FlightDate(compact: text) == nil)
    }

    @Test func takesTheUTCDateOfAnInstant() {
        #expect(FlightDate(utcDateOf: Timestamp(iso8601: "2026-11-24T23:59:59.999Z")!) == FlightDate("2026-11-24"))
        #expect(FlightDate(utcDateOf: Timestamp(iso8601: "2026-11-25T00:30:00+01:00")!) == FlightDate("2026-11-24"))
        #expect(FlightDate(utcDateOf: Timestamp(millisecondsSinceEpoch: -1)).description == "1969-12-31")
    }

    @Test func ordersByCalendar() {
        #expect(FlightDate("2026-11-24")! < FlightDate("2026-11-25")!)
        #expect(FlightDate("2026-12-01")! > FlightDate("2026-11-30")!)
        #expect(FlightDate("2027-01-01")! > FlightDate("2026-12-31")!)
    }

    /// Written into the string's storage or straight into JSON, a date reads as the padded
    /// interpolation did, for any year an instant can give.
    @Test(arguments: [-70_000_000_000_000, -62_135_596_800_001, -1, 0, 1_795_500_000_000, 253_402_300_800_000, 300_000_000_000_000] as [Int64])
    func aDateIsWrittenAsThePaddedFieldsAnywhere(milliseconds: Int64) {
        let date = FlightDate(utcDateOf: Timestamp(millisecondsSinceEpoch: milliseconds))
        func pad(_ value: Int, _ width: Int) -> String {
            let text = String(value)
            return text.utf8.count >= width ? text : String(repeating: "0", count: width - text.utf8.count) + text
        }
        let expected = "\(pad(date.year, 4))-\(pad(date.month, 2))-\(pad(date.day, 2))"
        #expect(date.description == expected)
        var writer = JSONWriter(capacity: 8)
        writer.beginObject()
        writer.member("date", date)
        writer.endObject()
        #expect(writer.string == #"{"date":"\#(expected)"}"#)
    }
}
