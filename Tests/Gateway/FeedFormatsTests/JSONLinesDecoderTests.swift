import FeedFormats
import FlightModel
import Testing

@Suite("jsonl decoder")
struct JSONLinesDecoderTests {
    let context = FrameContext(feed: "integrations", position: "test@0", receivedAt: Timestamp(millisecondsSinceEpoch: 0))

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
}
