import FeedFraming
import Testing

@Suite("stx-etx framing") struct ControlCharacterFramerTests {
    private let soh: UInt8 = 0x01, stx: UInt8 = 0x02, etx: UInt8 = 0x03

    private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func framesBetweenSTXAndETXAcrossChunks() {
        let stream = [stx] + bytes("<a/>") + [etx, stx] + bytes("<b/>") + [etx]
        let output = framed([Array(stream[0..<3]), Array(stream[3...])], with: ControlCharacterFramer(maxFrameBytes: 64))
        #expect(output == [
            .frame(bytes: bytes("<a/>"), offset: 0, end: 6),
            .frame(bytes: bytes("<b/>"), offset: 6, end: 12),
        ])
    }

    @Test func bytesOutsideFramesAreSkippedAndCounted() {
        var framer = ControlCharacterFramer(maxFrameBytes: 64)
        var output: [FramerOutput] = []
        framer.consume(bytes("noise\r\n") + [stx] + bytes("x") + [etx] + bytes("\r\n"), into: &output)
        #expect(output == [.frame(bytes: bytes("x"), offset: 7, end: 10)])
        #expect(framer.skippedBytes == 9)
    }

    @Test func aTypeBMessageKeepsItsHeadingAndInnerSTX() {
        let message = [soh] + bytes("QD ZRHKLXH\r\n.ZRHOWLX 241200\r\n") + [stx] + bytes("MVT\r\nLX1/24\r\n") + [etx]
        let output = framed([message], with: ControlCharacterFramer(maxFrameBytes: 256))
        #expect(output.count == 1)
        guard case .frame(let frame, 0, _) = output.first else {
            Issue.record("expected one frame at 0, got \(output)")
            return
        }
        #expect(frame == bytes("QD ZRHKLXH\r\n.ZRHOWLX 241200\r\n") + [stx] + bytes("MVT\r\nLX1/24\r\n"))
    }

    @Test func aFrameCutShortByTheNextSTXIsBrokenNotLost() {
        let stream = [stx] + bytes("half") + [stx] + bytes("whole") + [etx]
        let output = framed([stream], with: ControlCharacterFramer(maxFrameBytes: 64))
        #expect(output.count == 2)
        guard case .broken(let kept, 0, _, let reason) = output[0] else {
            Issue.record("expected a broken frame first, got \(output)")
            return
        }
        #expect(kept == bytes("half"))
        #expect(reason.contains("not closed by ETX"))
        #expect(output[1] == .frame(bytes: bytes("whole"), offset: 5, end: 12))
    }

    @Test func theStreamEndingInsideAFrameIsBroken() {
        let output = framed([[stx] + bytes("trunc")], with: ControlCharacterFramer(maxFrameBytes: 64))
        guard case .broken(let kept, 0, _, let reason) = output.first else {
            Issue.record("expected a broken frame, got \(output)")
            return
        }
        #expect(kept == bytes("trunc"))
        #expect(reason.contains("no ETX"))
    }

    @Test func anOversizeFrameIsReportedAndTheNextOneRead() {
        let stream = [stx] + [UInt8](repeating: 0x41, count: 5000) + [etx, stx] + bytes("ok") + [etx]
        let output = framed([stream], with: ControlCharacterFramer(maxFrameBytes: 100))
        #expect(output.count == 2)
        guard case .oversize(let prefix, 0, let length, _) = output[0] else {
            Issue.record("expected oversize, got \(output)")
            return
        }
        #expect(length == 5000)
        #expect(prefix.count == 100)
        #expect(output[1] == .frame(bytes: bytes("ok"), offset: 5002, end: 5006))
    }
}

@Suite("length-prefix framing") struct LengthPrefixFramerTests {
    private func prefixed(_ text: String) -> [UInt8] {
        let body = Array(text.utf8)
        let n = UInt32(body.count)
        return [UInt8(n >> 24), UInt8(n >> 16 & 0xFF), UInt8(n >> 8 & 0xFF), UInt8(n & 0xFF)] + body
    }

    @Test func framesByLengthAcrossChunksOneByteAtATime() {
        let stream = prefixed("hello") + prefixed("") + prefixed("world!")
        let output = framed(stream.map { [$0] }, with: LengthPrefixFramer(maxFrameBytes: 64))
        #expect(output == [
            .frame(bytes: Array("hello".utf8), offset: 0, end: 9),
            .frame(bytes: Array("world!".utf8), offset: 13, end: 23),
        ])
    }

    @Test func aLengthOverTheLimitFailsTheStream() {
        var framer = LengthPrefixFramer(maxFrameBytes: 1000)
        var output: [FramerOutput] = []
        framer.consume(prefixed("ok") + [0x7F, 0xFF, 0xFF, 0xFF] + Array("more".utf8), into: &output)
        #expect(output.count == 2)
        #expect(output[0] == .frame(bytes: Array("ok".utf8), offset: 0, end: 6))
        guard case .broken(_, 6, _, let reason) = output[1] else {
            Issue.record("expected a broken frame, got \(output)")
            return
        }
        #expect(reason.contains("2147483647 exceeds max_frame_bytes 1000"))
        #expect(framer.failure == reason)
        framer.consume(prefixed("ignored"), into: &output)
        #expect(output.count == 2)
    }

    @Test func aStreamEndingInsideAFrameIsBroken() {
        let output = framed([Array(prefixed("hello").prefix(6))], with: LengthPrefixFramer(maxFrameBytes: 64))
        guard case .broken(let kept, 0, _, let reason) = output.first else {
            Issue.record("expected a broken frame, got \(output)")
            return
        }
        #expect(kept == Array("he".utf8))
        #expect(reason.contains("2 of 5 bytes"))
    }
}
