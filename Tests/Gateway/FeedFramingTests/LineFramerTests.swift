import FeedFraming
import Testing

/// Runs `framer` over `chunks` as a stream would deliver them, and finishes it.
func framed(_ chunks: [[UInt8]], with framer: some Framer) -> [FramerOutput] {
    var framer = framer
    var output: [FramerOutput] = []
    for chunk in chunks { framer.consume(chunk, into: &output) }
    framer.finish(into: &output)
    return output
}

@Suite("lf framing") struct LineFramerTests {
    private func frames(_ chunks: [String], max: Int = 64) -> [FramerOutput] {
        framed(chunks.map { Array($0.utf8) }, with: LineFramer(maxFrameBytes: max))
    }

    @Test func splitsAtLineFeedsAcrossChunksWithOffsets() {
        #expect(frames(["{\"a\":1}\n{\"b\"", ":2}\n"]) == [
            .frame(bytes: Array("{\"a\":1}".utf8), offset: 0, end: 8),
            .frame(bytes: Array("{\"b\":2}".utf8), offset: 8, end: 16),
        ])
    }

    @Test func toleratesCRLFAndSkipsEmptyLines() {
        #expect(frames(["one\r\n\r\n\ntwo\r\n"]) == [
            .frame(bytes: Array("one".utf8), offset: 0, end: 5),
            .frame(bytes: Array("two".utf8), offset: 8, end: 13),
        ])
    }

    @Test func aLastLineWithoutLineFeedIsStillAFrame() {
        #expect(frames(["one\ntwo"]) == [
            .frame(bytes: Array("one".utf8), offset: 0, end: 4), .frame(bytes: Array("two".utf8), offset: 4, end: 7),
        ])
    }

    @Test func oversizeLineIsReportedAndTheStreamResynchronises() {
        let long = String(repeating: "x", count: 5000)
        let output = frames(["ok\n", long, "\nafter\n"], max: 100)
        #expect(output.count == 3)
        #expect(output[0] == .frame(bytes: Array("ok".utf8), offset: 0, end: 3))
        guard case .oversize(let prefix, let offset, let length, _) = output[1] else {
            Issue.record("expected an oversize report")
            return
        }
        #expect(offset == 3)
        #expect(length == 5000)
        #expect(prefix.count <= keptPrefixBytes)
        #expect(output[2] == .frame(bytes: Array("after".utf8), offset: 5004, end: 5010))
    }

    @Test func memoryStaysBoundedOnAnEndlessLine() {
        var framer = LineFramer(maxFrameBytes: 4096)
        var output: [FramerOutput] = []
        let chunk = [UInt8](repeating: 0x41, count: 64 * 1024)
        for _ in 0..<256 { framer.consume(chunk, into: &output) }  // 16 MiB without a line feed
        #expect(output.isEmpty)
        framer.consume([0x0A], into: &output)
        guard case .oversize(let prefix, _, let length, _) = output.first else {
            Issue.record("expected an oversize report")
            return
        }
        #expect(length == 16 * 1024 * 1024)
        #expect(prefix.count == keptPrefixBytes)
    }
}

/// Frames hold only their bytes, not the framer's working buffer with its spare capacity
/// (which cost the daemon half its heap under a burst; see `exactCopy`).
@Suite("framed bytes hold no slack") struct FrameCapacityTests {
    private func largestSlack(_ framer: some Framer, stream: [UInt8]) -> Int {
        var framer = framer
        var output: [FramerOutput] = []
        var start = 0
        while start < stream.count {  // in 4 kB reads, as a socket delivers them
            framer.consume(stream[start..<min(start + 4096, stream.count)], into: &output)
            start += 4096
        }
        framer.finish(into: &output)
        #expect(output.count == 20_000)
        return output.map { output -> Int in
            guard case .frame(let bytes, _, _) = output else { return Int.max }
            return bytes.capacity - bytes.count
        }.max() ?? 0
    }

    private let line = Array(String(repeating: "x", count: 150).utf8)

    @Test func lineFrames() {
        let stream = Array(repeating: line + [0x0A], count: 20_000).flatMap { $0 }
        #expect(largestSlack(LineFramer(maxFrameBytes: 65_536), stream: stream) < 32)
    }

    @Test func controlCharacterFrames() {
        let stream = Array(repeating: [0x02] + line + [0x03], count: 20_000).flatMap { $0 }
        #expect(largestSlack(ControlCharacterFramer(maxFrameBytes: 65_536), stream: stream) < 32)
    }

    @Test func lengthPrefixedFrames() {
        let stream = Array(repeating: [0, 0, 0, 150] + line, count: 20_000).flatMap { $0 }
        #expect(largestSlack(LengthPrefixFramer(maxFrameBytes: 65_536), stream: stream) < 32)
    }
}
