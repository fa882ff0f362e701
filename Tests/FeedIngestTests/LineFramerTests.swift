import FeedIngest
import Testing

@Suite struct LineFramerTests {
    private func frames(_ chunks: [String], max: Int = 64) -> [LineFramer.Output] {
        var framer = LineFramer(maxFrameBytes: max)
        var output: [LineFramer.Output] = []
        for chunk in chunks { framer.consume(Array(chunk.utf8), into: &output) }
        framer.finish(into: &output)
        return output
    }

    @Test func splitsAtLineFeedsAcrossChunksWithOffsets() {
        #expect(frames(["{\"a\":1}\n{\"b\"", ":2}\n"]) == [
            .frame(bytes: Array("{\"a\":1}".utf8), offset: 0),
            .frame(bytes: Array("{\"b\":2}".utf8), offset: 8),
        ])
    }

    @Test func toleratesCRLFAndSkipsEmptyLines() {
        #expect(frames(["one\r\n\r\n\ntwo\r\n"]) == [
            .frame(bytes: Array("one".utf8), offset: 0),
            .frame(bytes: Array("two".utf8), offset: 8),
        ])
    }

    @Test func aLastLineWithoutLineFeedIsStillAFrame() {
        #expect(frames(["one\ntwo"]) == [
            .frame(bytes: Array("one".utf8), offset: 0), .frame(bytes: Array("two".utf8), offset: 4),
        ])
    }

    @Test func oversizeLineIsReportedAndTheStreamResynchronises() {
        let long = String(repeating: "x", count: 5000)
        let output = frames(["ok\n", long, "\nafter\n"], max: 100)
        #expect(output.count == 3)
        #expect(output[0] == .frame(bytes: Array("ok".utf8), offset: 0))
        guard case .oversize(let prefix, let offset, let length) = output[1] else {
            Issue.record("expected an oversize report")
            return
        }
        #expect(offset == 3)
        #expect(length == 5000)
        #expect(prefix.count <= LineFramer.keptPrefixBytes)
        #expect(output[2] == .frame(bytes: Array("after".utf8), offset: 5004))
    }

    @Test func memoryStaysBoundedOnAnEndlessLine() {
        var framer = LineFramer(maxFrameBytes: 4096)
        var output: [LineFramer.Output] = []
        let chunk = [UInt8](repeating: 0x41, count: 64 * 1024)
        for _ in 0..<256 { framer.consume(chunk, into: &output) }  // 16 MiB without a line feed
        #expect(output.isEmpty)
        framer.consume([0x0A], into: &output)
        guard case .oversize(let prefix, _, let length) = output.first else {
            Issue.record("expected an oversize report")
            return
        }
        #expect(length == 16 * 1024 * 1024)
        #expect(prefix.count == LineFramer.keptPrefixBytes)
    }
}
