import FeedFraming
import Testing

/// The framers scan whole reads; what they output must not depend on that, nor on where the
/// reads are cut: every framer against its byte-by-byte specification (`ByteByByte…Framer`),
/// over streams cut at every byte position and over random streams in random reads.
@Suite("framers read by read match the byte-by-byte rules") struct FramerEquivalenceTests {
    private let soh: UInt8 = 0x01, stx: UInt8 = 0x02, etx: UInt8 = 0x03

    private func text(_ string: String) -> [UInt8] { Array(string.utf8) }

    /// Frames `stream` in reads cut at the given positions.
    private func framed(_ stream: [UInt8], cutAt cuts: [Int], with framer: some Framer) -> ([FramerOutput], Int64, Int64) {
        var framer = framer
        var output: [FramerOutput] = []
        var start = 0
        for cut in cuts + [stream.count] {
            framer.consume(stream[start..<cut], into: &output)
            start = cut
        }
        let offset = framer.offset
        framer.finish(into: &output)
        return (output, offset, framer.skippedBytes)
    }

    /// The same stream, in one read and cut in two at every position, through `fast` and
    /// `reference`: one and the same output, offset and skipped count each time.
    private func expectSameAtEveryCut(_ stream: [UInt8], _ fast: some Framer, _ reference: some Framer) {
        let expected = framed(stream, cutAt: [], with: reference)
        #expect(framed(stream, cutAt: [], with: fast) == expected)
        for cut in 0...stream.count {
            let got = framed(stream, cutAt: [cut], with: fast)
            #expect(got == expected, "cut at \(cut) of \(stream.count)")
            if got != expected { return }
        }
    }

    /// Frames of every kind back to back: noise, an SOH heading with its inner STX and a second
    /// SOH, a frame longer than the limit, one cut short by the next STX, an empty one, a frame
    /// left open at the end.
    private var controlCharacterStream: [UInt8] {
        [0x0D, 0x0A, etx] + [stx] + text("<a>x</a>") + [etx, 0x0D, 0x0A]
            + [soh] + text("QD ZRHKLXH\r\n") + [soh] + text(".ZRHOWLX\r\n") + [stx] + text("MVT\r\nLX1\r\n") + [etx]
            + [stx] + [UInt8](repeating: 0x41, count: 40) + [etx]
            + [stx] + text("half") + [soh] + text("head") + [stx] + text("body") + [stx] + text("cut") + [stx, etx]
            + [0x00, 0x00] + [stx] + text("12345678") + [0x00] + text("abc") + [etx] + [stx] + text("open")
    }

    @Test func stxEtxFramesSplitAtEveryByteAcrossTwoReads() {
        let stream = controlCharacterStream
        for limit in [0, 1, 5, 8, 12, 39, 40, 41, 1024] {
            expectSameAtEveryCut(
                stream, ControlCharacterFramer(maxFrameBytes: limit), ByteByByteControlCharacterFramer(maxFrameBytes: limit))
        }
    }

    @Test func anAIDXSizedFrameSplitAtEveryByte() {
        let document = text("<FlightLegNotifRQ>") + Array(repeating: text("<Leg a=\"1\">text</Leg>\n"), count: 380).flatMap { $0 }
        let stream = [stx] + document + [etx] + [stx] + text("<b/>") + [etx]
        expectSameAtEveryCut(stream, ControlCharacterFramer(maxFrameBytes: 1 << 20), ByteByByteControlCharacterFramer(maxFrameBytes: 1 << 20))
        expectSameAtEveryCut(stream, ControlCharacterFramer(maxFrameBytes: 4096), ByteByByteControlCharacterFramer(maxFrameBytes: 4096))
    }

    @Test func lfFramesSplitAtEveryByteAcrossTwoReads() {
        let stream = text("{\"a\":1}\n\r\n\n\r{\"b\":2}\r\n") + [UInt8](repeating: 0x78, count: 40) + text("\nlast\r")
        for limit in [0, 1, 5, 7, 39, 40, 41, 1024] {
            expectSameAtEveryCut(stream, LineFramer(maxFrameBytes: limit), ByteByByteLineFramer(maxFrameBytes: limit))
        }
    }

    @Test func lengthPrefixFramesSplitAtEveryByteAcrossTwoReads() {
        let stream: [UInt8] = [0, 0, 0, 5] + text("hello") + [0, 0, 0, 0] + [0, 0, 0, 12] + text("twelve bytes") + [0, 0, 0, 9] + text("cut")
        expectSameAtEveryCut(stream, LengthPrefixFramer(maxFrameBytes: 64), ByteByByteLengthPrefixFramer(maxFrameBytes: 64))
        expectSameAtEveryCut(stream, LengthPrefixFramer(maxFrameBytes: 10), ByteByByteLengthPrefixFramer(maxFrameBytes: 10))
    }

    @Test func randomStreamsInRandomReads() {
        var random = SplitMix64(seed: 16)
        let controlAlphabet: [UInt8] = [soh, stx, etx, 0x00, 0x0A, 0x0D, 0x41, 0x41, 0x41, 0x41, 0x41, 0x41, 0xFF]
        let lineAlphabet: [UInt8] = [0x0A, 0x0D, 0x41, 0x41, 0x41, 0x41, 0x41, 0x00]
        for round in 0..<400 {
            let length = Int(random.next() % 600)
            let limit = [0, 1, 3, 16, 64, 100, 300, 1 << 20][round % 8]
            let control = (0..<length).map { _ in controlAlphabet[Int(random.next() % UInt64(controlAlphabet.count))] }
            let lines = (0..<length).map { _ in lineAlphabet[Int(random.next() % UInt64(lineAlphabet.count))] }
            var prefixed: [UInt8] = []
            while prefixed.count < length {
                let size = Int(random.next() % 80)
                prefixed += [0, 0, UInt8(size >> 8), UInt8(size & 0xFF)] + [UInt8](repeating: 0x42, count: size)
            }
            let cuts = randomCuts(length: length, random: &random)
            #expect(
                framed(control, cutAt: cuts, with: ControlCharacterFramer(maxFrameBytes: limit))
                    == framed(control, cutAt: [], with: ByteByByteControlCharacterFramer(maxFrameBytes: limit)),
                "stx-etx round \(round)")
            #expect(
                framed(lines, cutAt: cuts, with: LineFramer(maxFrameBytes: limit))
                    == framed(lines, cutAt: [], with: ByteByByteLineFramer(maxFrameBytes: limit)),
                "lf round \(round)")
            let prefixedCuts = randomCuts(length: prefixed.count, random: &random)
            #expect(
                framed(prefixed, cutAt: prefixedCuts, with: LengthPrefixFramer(maxFrameBytes: limit))
                    == framed(prefixed, cutAt: [], with: ByteByByteLengthPrefixFramer(maxFrameBytes: limit)),
                "length-prefix round \(round)")
        }
    }

    @Test func aCollectionWithoutContiguousStorageIsFramedTheSame() {
        let stream = controlCharacterStream
        var fast = ControlCharacterFramer(maxFrameBytes: 16)
        var output: [FramerOutput] = []
        fast.consume(stream.lazy.map { $0 }, into: &output)  // no contiguous storage: copied first
        fast.finish(into: &output)
        #expect(output == framed(stream, cutAt: [], with: ByteByByteControlCharacterFramer(maxFrameBytes: 16)).0)
    }

    private func randomCuts(length: Int, random: inout SplitMix64) -> [Int] {
        guard length > 0 else { return [] }
        return (0..<Int(random.next() % 12)).map { _ in Int(random.next() % UInt64(length + 1)) }.sorted()
    }
}

/// A seeded generator, so a failing round can be run again.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
