import FeedFormats
import FlightModel
import Testing

@Suite("jsonl decoder")
struct JSONLinesDecoderTests {
    let context = FrameContext(feed: "integrations", receivedAt: Timestamp(millisecondsSinceEpoch: 0))

    @Test("a normalized update decodes to its identity and fields")
    func decodesNormalizedUpdate() throws {
        let line = #"{"airline":"LX","number":"1234","date":"2026-11-24","direction":"departure","gate":"A12","remark":null}"#
        let updates = try JSONLinesDecoder().decode(Array(line.utf8), context: context)
        #expect(updates.count == 1)
        #expect(updates[0].key.flightID == "LX1234-20261124-D")
        #expect(updates[0][.gate] == .value(.text("A12")))
        #expect(updates[0][.remark] == .cleared)
        #expect(updates[0][.stand] == .absent)
    }

    @Test("a missing identity member is refused with its name")
    func refusesMissingIdentity() {
        let line = #"{"airline":"LX","date":"2026-11-24","direction":"departure"}"#
        #expect(throws: DecodeError("required member is missing", at: "number")) {
            try JSONLinesDecoder().decode(Array(line.utf8), context: context)
        }
    }

    func decode(_ line: String) throws(DecodeError) -> FlightUpdate {
        let updates = try JSONLinesDecoder().decode(Array(line.utf8), context: context)
        #expect(updates.count == 1)
        return updates[0]
    }

    /// Plain strings are read from the line's bytes, anything with escapes or beyond ASCII as
    /// parsed; both give the same values and the same problems.
    @Test("escaped and plain text read alike, names included")
    func escapedAndPlainTextReadAlike() throws {
        let rest = #""date":"2026-11-24","direction":"arrival""#
        let plain = try decode(
            #"{"airline":"LX","number":"1",\#(rest),"gate":"A1","scheduled":"2026-11-24T10:00Z","source_time":"2026-11-24T09:00:00Z","remark":"Zürich"}"#)
        let escaped = try decode(
            #"{"\u0061irline":"L\u0058","number":"\u0031",\#(rest),"g\u0061te":"A\u0031","sch\u0065duled":"2026-11-24T10:00\u005A","source\u005ftime":"2026-11-24T09:00:00\u005a","remark":"Z\u00fcrich"}"#)
        #expect(plain == escaped)
        #expect(plain[.gate] == .value(.text("A1")))
        #expect(plain[.remark] == .value(.text("Zürich")))
        #expect(plain[.scheduled] == .value(.time(Timestamp(iso8601: "2026-11-24T10:00Z")!)))
        #expect(plain.sourceTime == Timestamp(iso8601: "2026-11-24T09:00:00Z"))
        for time in [#""2026-13-01T00:00Z""#, #""2026-13-01T00:00\u005A""#] {
            #expect(throws: DecodeError(#""2026-13-01T00:00Z" is not an ISO 8601 time"#, at: "estimated")) {
                try decode(#"{"airline":"LX","number":"1",\#(rest),"estimated":\#(time)}"#)
            }
            #expect(throws: DecodeError(#""2026-13-01T00:00Z" is not an ISO 8601 time"#, at: "source_time")) {
                try decode(#"{"airline":"LX","number":"1",\#(rest),"source_time":\#(time)}"#)
            }
        }
        #expect(throws: DecodeError("expected a time string, found a number", at: "actual")) {
            try decode(#"{"airline":"LX","number":"1",\#(rest),"actual":1}"#)
        }
        #expect(throws: DecodeError("unknown status \"late\"", at: "status")) {
            try decode(#"{"airline":"LX","number":"1",\#(rest),"status":"late"}"#)
        }
    }

    /// The identity is read from the line's bytes in place when every part is plain text, and
    /// as strings otherwise: both give the same key, and the same refusals.
    @Test("plain, escaped, spaced and null identity parts give the same key")
    func identityPartsReadAlikeInPlaceAndAsStrings() throws {
        let forms = [
            #""airline":"ez","number":"7","suffix":"b","date":"2026-11-24","direction":"arrival""#,
            #""airline":"\u0065z","number":"7","suffix":"b","date":"2026-11-24","direction":"arrival""#,
            #""airline":" EZ\t","number":"0007 ","suffix":"\u0062","date":"2026-11-24","direction":"arriv\u0061l""#,
            #""airline":"EZ","number":"7","suffix":"B","date":"2026-11-2\u0034","direction":"arrival""#,
        ]
        for form in forms {
            let key = try decode("{\(form)}").key
            #expect(key.flightID == "EZ0007B-20261124-A", "\(form)")
            #expect(key.hashedID == HashedFlightID("EZ0007B-20261124-A"))
        }
        #expect(try decode(#"{"airline":"EZ","number":"7","suffix":null,"date":"2026-11-24","direction":"arrival"}"#).key.flightID == "EZ0007-20261124-A")
        #expect(try decode(#"{"airline":"EZ","number":"7","suffix":"","date":"2026-11-24","direction":"arrival"}"#).key.suffix == nil)
        let rest = #""date":"2026-11-24","direction":"arrival""#
        #expect(throws: DecodeError(#"flight number "12345" is not 1 to 4 digits"#)) {
            try decode(#"{"airline":"EZ","number":"12345",\#(rest)}"#)
        }
        #expect(throws: DecodeError(#"suffix "bc" is not one letter"#)) {
            try decode(#"{"airline":"EZ","number":"1","suffix":"bc",\#(rest)}"#)
        }
        #expect(throws: DecodeError("expected a string, found a number", at: "suffix")) {
            try decode(#"{"airline":"EZ","number":"1","suffix":1,\#(rest)}"#)
        }
        #expect(throws: DecodeError(#""arrivals" is not arrival or departure"#, at: "direction")) {
            try decode(#"{"airline":"EZ","number":"1","date":"2026-11-24","direction":"arrivals"}"#)
        }
        #expect(throws: DecodeError(#""2026-02-30" is not a date yyyy-MM-dd"#, at: "date")) {
            try decode(#"{"airline":"EZ","number":"1","date":"2026-02-30","direction":"arrival"}"#)
        }
    }

    @Test("a repeated identity member counts once, as first written")
    func firstOfARepeatedIdentityMemberCounts() throws {
        let rest = #""date":"2026-11-24","direction":"arrival""#
        #expect(try decode(#"{"airline":"LX","airline":"BA","number":"1","number":"2",\#(rest)}"#).key.flightID == "LX0001-20261124-A")
        #expect(try decode(#"{"suffix":null,"suffix":"B","airline":"LX","number":"1",\#(rest)}"#).key.suffix == nil)
        #expect(try decode(#"{"suffix":"b","suffix":null,"airline":"LX","number":"1",\#(rest)}"#).key.suffix == "B")
        #expect(throws: DecodeError("expected a string, found a number", at: "number")) {
            try decode(#"{"number":12,"number":"12","airline":"LX",\#(rest)}"#)
        }
        #expect(throws: DecodeError("required member is missing", at: "airline")) {
            try decode(#"{"airline":null,"airline":"LX","number":"1",\#(rest)}"#)
        }
    }

    @Test("identity members may come in any order among the fields, flight_id and feed are ignored")
    func identityMembersInAnyOrder() throws {
        let update = try decode(
            #"{"gate":"A1","feed":7,"direction":"departure","source_time":"2026-11-24T10:00:00Z","number":" 12 ","#
                + #""flight_id":["x"],"stand":"5","date":"2026-11-24","suffix":"c","airline":"ezy"}"#)
        #expect(update.key.flightID == "EZY0012C-20261124-D")
        #expect(update.sourceTime == Timestamp(iso8601: "2026-11-24T10:00:00Z"))
        #expect(update[.gate] == .value(.text("A1")))
        #expect(update[.stand] == .value(.text("5")))
    }

    @Test(
        "a name near an identity member's is an unknown member",
        arguments: ["dat3", "fees", "Feed", "DATE", "numbe", "numbers", "suffiX", "nuMber", "airlines", "airlinE",
                    "directio", "dIrection", "flight_ix", "flight_id ", "source_tim", "source_times", "sOurce_time", ""])
    func nearMissesAreUnknownMembers(name: String) {
        let line = #"{"airline":"LX","number":"1","date":"2026-11-24","direction":"arrival","\#(name)":"x"}"#
        #expect(throws: DecodeError("unknown member (see DESIGN.md §3 for the fields)", at: name)) {
            try decode(line)
        }
    }

    @Test("the identity is checked before the other members, whatever their order")
    func identityProblemsComeFirst() {
        #expect(throws: DecodeError("\"2026-02-30\" is not a date yyyy-MM-dd", at: "date")) {
            try decode(#"{"wrong":1,"gate":5,"airline":"LX","number":"1","date":"2026-02-30","direction":"arrival"}"#)
        }
        #expect(throws: DecodeError("flight number \"12345\" is not 1 to 4 digits")) {
            try decode(#"{"wrong":1,"airline":"LX","number":"12345","date":"2026-11-24","direction":"arrival"}"#)
        }
        #expect(throws: DecodeError("\"sideways\" is not arrival or departure", at: "direction")) {
            try decode(#"{"airline":"LX","number":"1","date":"2026-11-24","direction":"sideways","source_time":"x"}"#)
        }
        #expect(throws: DecodeError("\"yesterday\" is not an ISO 8601 time", at: "source_time")) {
            try decode(#"{"wrong":1,"airline":"LX","number":"1","date":"2026-11-24","direction":"arrival","source_time":"yesterday"}"#)
        }
        #expect(throws: DecodeError("unknown member (see DESIGN.md §3 for the fields)", at: "wrong")) {
            try decode(#"{"gate":"A1","wrong":1,"airline":"LX","number":"1","date":"2026-11-24","direction":"arrival"}"#)
        }
    }

    @Test("identity members after the 64th member are told from fields too")
    func identityMembersAfterMany() throws {
        let gates = Array(repeating: #""gate":"A1""#, count: 66).joined(separator: ",")
        let identity = #""airline":"LX","number":"1","date":"2026-11-24","direction":"arrival","feed":1,"flight_id":2"#
        let update = try decode("{\(gates),\(identity),\"stand\":\"7\",\"airline\":\"BA\"}")
        #expect(update.key.flightID == "LX0001-20261124-A")
        #expect(update[.stand] == .value(.text("7")))
        #expect(throws: DecodeError("unknown member (see DESIGN.md §3 for the fields)", at: "wrong")) {
            try decode("{\(gates),\(identity),\"wrong\":1}")
        }
    }

    @Test("non-ASCII spaces around the identity are trimmed as before")
    func unicodeSpacesAroundTheIdentity() throws {
        let update = try decode(
            #"{"airline":"\u00a0lx\u3000","number":"\u2009355","suffix":" ","date":"2026-11-24","direction":"arrival"}"#)
        #expect(update.key.flightID == "LX0355-20261124-A")
    }
}
