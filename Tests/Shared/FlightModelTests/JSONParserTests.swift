import FlightModel
import JSON
import Testing

@Suite struct JSONParserTests {
    @Test func parsesTheNormalizedUpdateShape() throws {
        let text =
            #"{"airline":"LX","number":"1234","suffix":null,"codeshares":["AC6701"],"delays":[{"code":"81","minutes":15}],"x":-1.5e3,"ok":true}"#
        let value = try JSONParser.parse(Array(text.utf8))
        guard case .object(let object) = value else {
            Issue.record("expected an object")
            return
        }
        #expect(object["airline"] == .string("LX"))
        #expect(object["suffix"] == .null)
        #expect(object["missing"] == nil)
        #expect(object["codeshares"] == .array([.string("AC6701")]))
        #expect(object["x"] == .number("-1.5e3"))
        #expect(object["ok"] == .bool(true))
        #expect(object.members.map(\.key) == ["airline", "number", "suffix", "codeshares", "delays", "x", "ok"])
    }

    @Test func decodesEscapesAndUnicode() throws {
        let value = try JSONParser.parse(Array(#""Z\u00fcrich \"T1\" \ud83d\udeeb\n\/""#.utf8))
        #expect(value == .string("Zürich \"T1\" 🛫\n/"))
        #expect(try JSONParser.parse(Array("\"Genève ✈︎\"".utf8)) == .string("Genève ✈︎"))
    }

    @Test(arguments: [
        ("", "unexpected end of input"),
        ("{\"a\":1", "unexpected end of input"),
        ("{\"a\" 1}", "expected ':'"),
        ("[1,]", "unexpected character"),
        ("{\"a\":1} x", "unexpected data after the JSON value"),
        ("01", "unexpected data after the JSON value"),
        ("\"tab\there\"", "control character in string"),
        ("\"\\ud800\"", "unpaired surrogate"),
        ("\"abc", "unterminated string"),
        ("tru", "unexpected end of input"),
        ("-", "invalid number"),
    ])
    func refusesMalformedInputWithAReason(input: String, reason: String) {
        #expect {
            try JSONParser.parse(Array(input.utf8))
        } throws: { error in
            (error as? JSONParser.Error)?.message == reason
        }
    }

    @Test func refusesInvalidUTF8() {
        let bytes: [UInt8] = [0x22, 0x61, 0xC3, 0x28, 0x22]
        #expect(throws: JSONParser.Error(offset: 0, message: "string is not valid UTF-8")) {
            try JSONParser.parse(bytes)
        }
    }

    @Test func refusesDeepNestingInsteadOfRecursingForever() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParser.Error.self) { try JSONParser.parse(Array(deep.utf8)) }
        let fine = String(repeating: "[", count: 60) + String(repeating: "]", count: 60)
        #expect(throws: Never.self) { try JSONParser.parse(Array(fine.utf8)) }
    }

    @Test func randomBytesNeverTrap() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2_000 {
            let count = Int.random(in: 0..<64, using: &generator)
            let alphabet = Array(#"{}[]":,\-0123456789.eEtrufalsn "#.utf8) + [0xC3, 0x00, 0xFF]
            let bytes = (0..<count).map { _ in alphabet.randomElement(using: &generator)! }
            _ = try? JSONParser.parse(bytes)
        }
    }

    /// Strings are scanned eight bytes at a time: whatever its position and the alignment, the
    /// byte that ends the plain run (a quote, a backslash, a control character, a non-ASCII
    /// byte, the end of input) is found, and so is each one after the first escape.
    @Test func everyPositionOfAStringsSpecialByteIsFound() throws {
        for shift in 0..<8 {
            let prefix = "[" + String(repeating: " ", count: shift)
            for length in 0..<26 {
                for position in 0...length {
                    let before = String(repeating: "a", count: position)
                    let after = String(repeating: "b", count: length - position)
                    func parse(_ text: String) throws(JSONParser.Error) -> JSONValue {
                        try JSONParser.parse(Array((prefix + text + "]").utf8))
                    }
                    #expect(try parse("\"\(before)\(after)\"") == .array([.string(before + after)]))
                    // Bytes one off the special ones are plain wherever they stand.
                    #expect(try parse("\"\(before) !#[]\u{7F}\(after)\"") == .array([.string(before + " !#[]\u{7F}" + after)]))
                    #expect(try parse("\"\(before)\\\"\(after)\"") == .array([.string(before + "\"" + after)]))
                    #expect(try parse("\"\(before)é\(after)\"") == .array([.string(before + "é" + after)]))
                    #expect(try parse("\"\(before)\",\"\(after)\"") == .array([.string(before), .string(after)]))
                    #expect(throws: JSONParser.Error(offset: shift + 2 + position, message: "control character in string")) {
                        try parse("\"\(before)\u{1F}\(after)\"")
                    }
                    #expect(throws: JSONParser.Error(offset: shift + 1, message: "unterminated string")) {
                        try JSONParser.parse(Array((prefix + "\"" + before + after).utf8))
                    }
                    // After a first escape or non-ASCII byte (the slow path copies runs whole).
                    #expect(try parse("\"\\n\(before)\\\"\(after)\"") == .array([.string("\n" + before + "\"" + after)]))
                    #expect(try parse("\"é\(before)\\t\(after)é\"") == .array([.string("é" + before + "\t" + after + "é")]))
                    #expect(try parse("\"\\/\(before)\",\"\(after)\"") == .array([.string("/" + before), .string(after)]))
                    #expect(throws: JSONParser.Error(offset: shift + 4 + position, message: "control character in string")) {
                        try parse("\"\\n\(before)\u{1F}\(after)\"")
                    }
                    #expect(throws: JSONParser.Error(offset: shift + 1, message: "unterminated string")) {
                        try JSONParser.parse(Array((prefix + "\"é" + before + after).utf8))
                    }
                }
            }
        }
    }

    /// Known keys change which String a member name is, never its value.
    @Test func knownKeysGiveTheSameValues() throws {
        let known = JSONParser.KnownKeys(["airline", "number", "gate", "g", "", "Zürich", "gate", "etag", "gates"])
        let documents = [
            #"{"airline":"LX","number":"1234","gate":"A1","g":1,"":2,"Zürich":3,"etag":4,"gates":[5]}"#,
            #"{"gat":1,"gatE":2,"Gate":3,"gatesX":4,"etaG":5,"airlin":6,"airlines":7,"Zurich":8,"Zürichs":9}"#,
            #"{"g\u0061te":1,"gate":{"gate":{"number":[{"airline":null}]}},"\u0000":2,"ga\"te":3}"#,
            #"[{"gate":"gate"},"airline",{}]"#,
        ]
        for document in documents {
            #expect(try JSONParser.parse(Array(document.utf8), knownKeys: known) == JSONParser.parse(Array(document.utf8)))
        }
        var random = SystemRandomNumberGenerator()
        let names = ["airline", "number", "gate", "g", "", "gates", "gat", "etag", "Gate", "airlinf", "zz", "Zürich", "numbe"]
        for _ in 0..<2_000 {
            let members = (0..<Int.random(in: 0...6, using: &random)).map { index in
                "\"\(names.randomElement(using: &random)!)\":\(index)"
            }
            let document = Array("{\(members.joined(separator: ","))}".utf8)
            let value = try JSONParser.parse(document, knownKeys: known)
            #expect(value == (try JSONParser.parse(document)))
        }
    }

    /// `members(of:)` is `parse` read member by member: the same error at the same byte for
    /// any input, the same members for an object (plain strings as ranges), the same value for
    /// anything else, and each known name's place in the list.
    @Test func membersReadWhatParseReads() throws {
        let known = JSONParser.KnownKeys(["airline", "gate", "number", "gate", "Zürich", "x"])
        let position = ["airline": 0, "gate": 1, "number": 2, "x": 5]
        func check(_ bytes: [UInt8]) {
            let parsed = Result { () throws(JSONParser.Error) -> JSONValue in try JSONParser.parse(bytes) }
            let read = bytes.withUnsafeBufferPointer { buffer in
                Result { () throws(JSONParser.Error) -> JSONParser.TopLevel in
                    try JSONParser.members(of: buffer, knownKeys: known)
                }
            }
            switch (parsed, read) {
            case (.failure(let expected), .failure(let error)):
                #expect(error == expected, "\(String(decoding: bytes, as: UTF8.self))")
            case (.success(.object(let object)), .success(.object(let members))):
                #expect(members.map(\.key) == object.members.map(\.key))
                for (member, expected) in zip(members, object.members) {
                    switch member.value {
                    case .plainString(let range):
                        #expect(JSONValue.string(String(decoding: bytes[range], as: UTF8.self)) == expected.value)
                        #expect(bytes[range].allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C })
                    case .value(let value):
                        #expect(value == expected.value)
                        if case .string(let text) = value { #expect(!text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x80 && $0 != 0x22 && $0 != 0x5C }) }
                    }
                    // Plain names only: a name written with escapes is told by its text.
                    if member.knownPosition != nil || position[member.key] == nil {
                        #expect(member.knownPosition == position[member.key], "\(member.key)")
                    }
                }
            case (.success(let value), .success(.other(let other))):
                #expect(other == value)
                if case .object = value { Issue.record("an object read as another value") }
            default:
                Issue.record("parse and members(of:) disagree on \(String(decoding: bytes, as: UTF8.self))")
            }
        }
        let documents = [
            #"{"airline":"LX","number":"1234","gate":null,"x":[1,{"gate":"A"}],"y":{"z":true},"Zürich":"Genève"}"#,
            #" { "g\u0061te" : "a\"b" , "gate":"tab\there", "number":"é", "airline":-1.5e3 } "#,
            #"{}"#, #"{"a":"#, #"{"a":"abc"#, #"{"a":"x"} x"#, #"{"a" 1}"#, #"{"a":1,}"#, #"{1:2}"#,
            #""abc""#, #"[1,2]"#, #"null"#, #"{"a":"\ud800"}"#, #"{"a":"ok","b":"\#u{01}"}"#,
        ]
        for document in documents { check(Array(document.utf8)) }
        check([0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0x61, 0xC3, 0x28, 0x22, 0x7D])  // invalid UTF-8 in a value
        var random = SystemRandomNumberGenerator()
        let alphabet = Array(#"{}[]":,\-0123456789.eEtrufalsnxg "#.utf8) + [0xC3, 0x00, 0xFF]
        for _ in 0..<3_000 {
            let count = Int.random(in: 0..<48, using: &random)
            check(Array("{\"".utf8) + (0..<count).map { _ in alphabet.randomElement(using: &random)! })
        }
        let names = ["airline", "number", "gate", "x", "Zürich", "g\\u0061te", "gat"]
        let values = ["\"LX\"", "\"a\\nb\"", "\"é\"", "null", "1", "[\"a\"]", "{\"gate\":1}", "\"2026-12-06T10:00:00Z\""]
        for _ in 0..<2_000 {
            let members = (0..<Int.random(in: 0...8, using: &random)).map { _ in
                "\"\(names.randomElement(using: &random)!)\":\(values.randomElement(using: &random)!)"
            }
            check(Array("{\(members.joined(separator: ","))}".utf8))
        }
    }
}
