import Foundation
import FlightModel
import JSON
import Testing

@Suite struct JSONWriterTests {
    @Test func writesNestedObjectsWithCommasInTheRightPlaces() throws {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("flight_id", "LX1234-20261124-D")
        writer.field("seq", 17)
        writer.key("previous")
        writer.beginObject()
        writer.field("gate", "A12")
        writer.endObject()
        writer.key("codeshares")
        writer.beginArray()
        writer.string("AC6701")
        writer.string("UA9001")
        writer.endArray()
        writer.field("belt", nil)
        writer.key("ok")
        writer.bool(true)
        writer.endObject()
        #expect(
            writer.string
                == #"{"flight_id":"LX1234-20261124-D","seq":17,"previous":{"gate":"A12"},"codeshares":["AC6701","UA9001"],"belt":null,"ok":true}"#
        )
        // What it writes, the parser reads.
        #expect(throws: Never.self) { try JSONParser.parse(writer.bytes) }
    }

    /// Members named by literals write what `String` keys write, commas included.
    @Test func membersNamedByLiteralsWriteWhatStringKeysWrite() {
        var byString = JSONWriter()
        var byLiteral = JSONWriter()
        byString.beginObject()
        byLiteral.beginObject()
        byString.field("flight_id", "LX1234-20261124-D")
        byLiteral.member("flight_id", "LX1234-20261124-D")
        byString.field("seq", Int64(17))
        byLiteral.member("seq", Int64(17))
        byString.field("minutes", -5)
        byLiteral.member("minutes", -5)
        byString.key("source")
        byLiteral.memberName("source")
        byString.beginObject()
        byLiteral.beginObject()
        byString.field("belt", nil)
        byLiteral.member("belt", nil)
        byString.field("as_of", Timestamp(millisecondsSinceEpoch: 1_795_500_000_000))
        byLiteral.member("as_of", Timestamp(millisecondsSinceEpoch: 1_795_500_000_000))
        byString.endObject()
        byLiteral.endObject()
        for field in FlightField.allCases {
            byString.key(field.name)
            byLiteral.memberName(field.jsonName)
            byString.int(field.rawValue)
            byLiteral.int(field.rawValue)
        }
        byString.endObject()
        byLiteral.endObject()
        #expect(byLiteral.bytes == byString.bytes)
        #expect(byLiteral.string.hasPrefix(#"{"flight_id":"LX1234-20261124-D","seq":17,"minutes":-5,"source":{"belt":null,"#))
        #expect(FlightField.allCases.allSatisfy { "\($0.jsonName)" == $0.name })
    }

    @Test func escapesQuotesBackslashesAndControlCharacters() throws {
        var writer = JSONWriter()
        writer.string("say \"hi\"\\\n\u{01}é")
        #expect(writer.string == #""say \"hi\"\\\n\u0001é""#)
        #expect(try JSONParser.parse(writer.bytes) == .string("say \"hi\"\\\n\u{01}é"))
    }

    /// What the writer wrote before its fast paths: each scalar escaped on its own.
    private static func referenceQuoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    @Test func escapesLikeTheScalarByScalarReferenceWhereverTheEscapeFalls() throws {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [Character] = ["a", "Z", "0", "-", " ", "\"", "\\", "\n", "\u{01}", "\u{1F}", "\u{7F}", "é", "€", "😀", "~"]
        for length in 0..<40 {
            for _ in 0..<25 {
                let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator)! })
                var writer = JSONWriter()
                writer.string(text)
                #expect(writer.string == Self.referenceQuoted(text), "\(Array(text.utf8))")
                #expect(try JSONParser.parse(writer.bytes) == .string(text))
            }
        }
        // Clean words first, the escape in the last byte of a word, then after it.
        for text in ["abcdefg\"", "abcdefgh\\", "abcdefghijklmnop\u{1F}q", String(repeating: "x", count: 64) + "\""] {
            var writer = JSONWriter()
            writer.string(text)
            #expect(writer.string == Self.referenceQuoted(text))
        }
    }

    @Test func writesIntegersAsTheirDecimalText() {
        let values: [Int64] = [0, 1, 9, 10, -1, -9, -10, 99, 100, 1_764_000_000_000, .max, .min, .min + 1]
        for value in values {
            var writer = JSONWriter()
            writer.beginObject()
            writer.field("a", value)
            writer.field("b", Int(value))
            writer.field("c", Int32(truncatingIfNeeded: value))
            writer.field("d", UInt64(value.magnitude))
            writer.endObject()
            #expect(
                writer.string
                    == #"{"a":\#(value),"b":\#(value),"c":\#(Int32(truncatingIfNeeded: value)),"d":\#(value.magnitude)}"#)
        }
    }

    @Test func separatesValuesInNestedArraysAndObjectsAfterRawJSON() {
        var writer = JSONWriter()
        writer.beginArray()
        writer.raw(Array(#"{"x":1}"#.utf8))
        writer.raw(Array("[]".utf8))
        writer.beginArray()
        writer.endArray()
        writer.beginObject()
        writer.endObject()
        writer.int(-3)
        writer.bool(false)
        writer.null()
        writer.endArray()
        #expect(writer.string == #"[{"x":1},[],[],{},-3,false,null]"#)
    }

    @Test func writesTimesAsTheirISO8601Text() {
        var generator = SystemRandomNumberGenerator()
        var instants: [Int64] = [0, -1, 999, 1_000, 253_402_300_800_000, -62_198_755_200_000, .min, .max]
        for _ in 0..<2_000 { instants.append(Int64.random(in: -100_000_000_000_000...100_000_000_000_000, using: &generator)) }
        for milliseconds in instants {
            let time = Timestamp(millisecondsSinceEpoch: milliseconds)
            for offset in [0, 3600, -19_800, 50_400, -43_200] {
                var fast = JSONWriter()
                fast.beginObject()
                fast.field("t", time, offsetSeconds: offset)
                fast.endObject()
                var slow = JSONWriter()
                slow.beginObject()
                slow.field("t", time.iso8601(offsetSeconds: offset))
                slow.endObject()
                #expect(fast.bytes == slow.bytes)
                let text = time.iso8601(offsetSeconds: offset)
                if milliseconds.magnitude < 1 << 60,
                    (-62_167_219_200_000...253_402_300_799_999).contains(milliseconds + Int64(offset) * 1000)
                {
                    // Years 0000-9999: the one canonical text, read back as the same instant.
                    #expect(Self.isCanonical(text, milliseconds: milliseconds, offset: offset), "\(text)")
                    #expect(Timestamp(iso8601: text) == time, "\(text)")
                }
            }
        }
    }

    /// `yyyy-MM-ddTHH:mm:ss`, `.SSS` exactly when the milliseconds are not zero, then `Z` for
    /// offset 0, else `±hh:mm`; seconds below 60.
    private static func isCanonical(_ text: String, milliseconds: Int64, offset: Int) -> Bool {
        let bytes = Array(text.utf8)
        let hasFraction = (milliseconds % 1000 + 1000) % 1000 != 0
        let zone = hasFraction ? 23 : 19
        guard bytes.count == zone + (offset == 0 ? 1 : 6) else { return false }
        let pattern = Array("dddd-dd-ddTdd:dd:dd".utf8) + (hasFraction ? Array(".ddd".utf8) : [])
        for (byte, expected) in zip(bytes, pattern) {
            if expected == UInt8(ascii: "d") {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return false }
            } else if byte != expected {
                return false
            }
        }
        guard bytes[17] < UInt8(ascii: "6") else { return false }
        if offset == 0 { return bytes[zone] == UInt8(ascii: "Z") }
        let sign = offset < 0 ? "-" : "+"
        let hours = abs(offset) / 3600, minutes = abs(offset) / 60 % 60
        return String(decoding: bytes[zone...], as: UTF8.self)
            == sign + (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }
}
