import FeedIngest
import Testing

/// A frame's position as history and events record it (`file@offset`, `peer#n@offset`).
@Suite struct FramePositionTests {
    @Test func positionsReadAsTheyAlwaysHave() {
        #expect(FramePosition.stream(peer: "10.1.2.3:40112", connection: 7, offset: 1_234_567).description == "10.1.2.3:40112#7@1234567")
        #expect(FramePosition.stream(peer: "[::1]:9", connection: 0, offset: 0).description == "[::1]:9#0@0")
        #expect(FramePosition.file(name: "day.jsonl", offset: 9_223_372_036_854_775_807).description == "day.jsonl@9223372036854775807")
        #expect(FramePosition.tail(name: "fids.log", inode: 42, offset: 10, end: 99).description == "fids.log@10")
        #expect(FramePosition.file(name: "Zürich-fids.xml", offset: 120).description == "Zürich-fids.xml@120")
        #expect(FramePosition.file(name: "", offset: -1).description == "@-1")
    }
}
