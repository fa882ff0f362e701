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

    @Test func escapesQuotesBackslashesAndControlCharacters() throws {
        var writer = JSONWriter()
        writer.string("say \"hi\"\\\n\u{01}é")
        #expect(writer.string == #""say \"hi\"\\\n\u0001é""#)
        #expect(try JSONParser.parse(writer.bytes) == .string("say \"hi\"\\\n\u{01}é"))
    }
}
