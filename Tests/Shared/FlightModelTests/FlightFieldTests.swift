import FlightModel
import JSON
import Testing

@Suite struct FlightFieldTests {
    @Test func namesAreTheNormalizedJSONNames() {
        #expect(
            FlightField.allCases.map(\.name) == [
                "origin", "destination", "scheduled", "estimated", "actual", "runway_estimated", "runway_actual",
                "terminal",
                "gate", "stand", "belt", "checkin", "status", "raw_status", "remark", "codeshares", "delays",
            ])
        for field in FlightField.allCases { #expect(FlightField(name: field.name) == field) }
        #expect(FlightField(name: "runwayEstimated") == nil)
        #expect(FlightField(name: "airline") == nil)
        #expect(FlightField.count == 17)
    }

    @Test func statusesAreTheDesignsValues() {
        #expect(
            FlightStatus.allCases.map(\.rawValue) == [
                "scheduled", "delayed", "check-in", "gate-open", "boarding", "final-call", "gate-closed", "departed",
                "airborne",
                "landed", "arrived", "cancelled", "diverted", "not-operating", "deleted", "unknown",
            ])
    }

    @Test func aStatusAndADirectionAreReadFromTheirExactBytes() throws {
        func bytes<T>(_ text: String, _ read: (UnsafeBufferPointer<UInt8>) -> T) -> T {
            Array(text.utf8).withUnsafeBufferPointer(read)
        }
        for status in FlightStatus.allCases {
            #expect(bytes(status.rawValue) { FlightStatus(utf8: $0) } == status)
            #expect(try Array(status.rawValue.utf8).withUnsafeBufferPointer(FlightField.status.value(fromPlainText:)) == .status(status))
        }
        for text in ["", "Delayed", "delaye", "delayedx", "check_in", " boarding", "gate-opem", "x"] {
            #expect(bytes(text) { FlightStatus(utf8: $0) } == nil, "\(text)")
            #expect(throws: FieldProblem.self) {
                try Array(text.utf8).withUnsafeBufferPointer(FlightField.status.value(fromPlainText:))
            }
        }
        for direction in Direction.allCases { #expect(bytes(direction.rawValue) { Direction(utf8: $0) } == direction) }
        for text in ["Arrival", "arrivaL", "departur", "departures", " arrival", "", "A", "D"] {
            #expect(bytes(text) { Direction(utf8: $0) } == nil, "\(text)")
        }
    }

    @Test func eachFieldReadsItsKindOfJSON() throws {
        #expect(try FlightField.gate.value(from: .string("A12")) == .text("A12"))
        #expect(
            try FlightField.estimated.value(from: .string("2026-11-24T07:55:00+01:00"))
                == .time(Fixtures.time("06:55:00")))
        #expect(try FlightField.status.value(from: .string("final-call")) == .status(.finalCall))
        #expect(try FlightField.codeshares.value(from: .array([.string("AC6701")])) == .list(["AC6701"]))
        let delay = JSONValue.object(JSONObject(members: [("code", .string("81")), ("minutes", .number("15"))]))
        #expect(try FlightField.delays.value(from: .array([delay])) == .delays([DelayCode(code: "81", minutes: 15)]))
    }

    @Test func nullIsCleared() throws {
        for field in FlightField.allCases { #expect(try field.value(from: .null) == nil) }
    }

    @Test(arguments: [
        (FlightField.gate, JSONValue.number("12")), (.gate, .string(String(repeating: "x", count: 1025))),
        (.remark, .string("a\u{0}b")), (.scheduled, .string("2026-02-30T06:30:00Z")),
        (.scheduled, .string("1999-12-31T23:59:59Z")),
        (.scheduled, .number("1795501800")), (.status, .string("Boarding")), (.status, .string("landed ")),
        (.codeshares, .string("AC6701")), (.codeshares, .array([.string("")])), (.codeshares, .array([.number("1")])),
        (.delays, .array([.object(JSONObject(members: [("code", .string("81"))]))])),
        (.delays, .array([.object(JSONObject(members: [("code", .string("81")), ("minutes", .number("-1"))]))])),
        (.delays, .array([.object(JSONObject(members: [("code", .string("81")), ("minutes", .number("1.5"))]))])),
    ])
    func refusesValuesThatDoNotFitTheField(field: FlightField, json: JSONValue) {
        #expect(throws: FieldProblem.self) { try field.value(from: json) }
    }

    @Test func valuesWriteTheirJSON() {
        #expect(FieldValue.text("A\"12").json == #""A\"12""#)
        #expect(FieldValue.time(Fixtures.time("06:30:00")).json == #""2026-11-24T06:30:00Z""#)
        #expect(FieldValue.status(.gateOpen).json == #""gate-open""#)
        #expect(FieldValue.list(["AC6701", "UA9001"]).json == #"["AC6701","UA9001"]"#)
        #expect(FieldValue.delays([DelayCode(code: "81", minutes: 15)]).json == #"[{"code":"81","minutes":15}]"#)
    }

    @Test func accessorsAnswerOnlyForTheirCase() {
        let value = FieldValue.text("A12")
        #expect(value.text == "A12")
        #expect(value.time == nil && value.status == nil && value.list == nil && value.delays == nil)
        #expect(FieldValue.status(.boarding).status == .boarding)
        #expect(FieldValue.status(.boarding).text == nil)
        #expect(FieldValue.list(["X"]).list == ["X"])
        #expect(FlightField.scheduled.kind == .time)
        #expect(FieldValue.time(Fixtures.received).kind == FlightField.actual.kind)
    }
}
