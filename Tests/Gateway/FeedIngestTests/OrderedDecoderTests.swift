import AirportSimulator
import FeedFormats
import FeedIngest
import FlightModel
import Testing

/// The parallel decoder gives exactly what decoding frame by frame gives: the same frames in
/// the same order, each with its own position, updates and rejection.
@Suite struct OrderedDecoderTests {
    /// An AIDX day's frames with every seventh one broken in a different way (cut short, not
    /// XML, another airport's leg) and one the framer already refused.
    static func frames() -> [Frame] {
        let day = AirportDay(airport: "ZRH", flights: 60, seed: 3, dayStart: 1_796_428_800).messages()
        var writer = SimulatedFeedWriter(format: .aidx)
        var offset: Int64 = 0
        var frames: [Frame] = []
        for (index, message) in day.enumerated() {
            var bytes = Array(writer.frame(for: message)!.dropFirst().dropLast())
            switch index % 7 {
            case 3: bytes = Array(bytes.prefix(bytes.count / 2))
            case 5: bytes = Array("not xml at all \(index)".utf8)
            case 6: bytes = Array(String(decoding: bytes, as: UTF8.self).replacing(">ZRH<", with: ">GVA<").utf8)
            default: break
            }
            var frame = Frame(
                feed: "aodb", position: .stream(peer: "10.0.0.1", connection: 1, offset: offset), bytes: bytes,
                receivedAtMilliseconds: message.time * 1000)
            if index == 10 { frame.framingError = "frame of 9999999 bytes exceeds max_frame_bytes" }
            offset += Int64(bytes.count + 2)
            frames.append(frame)
        }
        return frames
    }

    static let decode: @Sendable (Frame) -> DecodedFrame = { frame in
        if let framingError = frame.framingError { return .rejected(message: framingError, location: nil) }
        let context = FrameContext(
            feed: frame.feed,
            receivedAt: Timestamp(millisecondsSinceEpoch: frame.receivedAtMilliseconds))
        do throws(DecodeError) {
            return .updates(try AIDXDecoder(airport: "ZRH").decode(frame.bytes, context: context))
        } catch {
            return .rejected(message: error.message, location: error.location)
        }
    }

    /// What a frame decoded to, comparable.
    static func outcome(_ frame: Frame) -> String {
        switch frame.decoded {
        case .updates(let updates): "\(frame.position) updates \(updates.map { "\($0.key) \($0.facts.map { "\($0.0)=\(String(describing: $0.1))" })" })"
        case .rejected(let message, let location): "\(frame.position) rejected \(message) at \(location ?? "-")"
        case nil: "\(frame.position) not decoded"
        }
    }

    @Test func parallelDecodingKeepsOrderAndRejectionsOfSerialDecoding() async throws {
        let frames = Self.frames()
        let serial = frames.map { frame in
            var frame = frame
            frame.decoded = Self.decode(frame)
            return frame
        }.map(Self.outcome)
        #expect(serial.contains { $0.contains(" rejected ") } && serial.contains { $0.contains(" updates ") })
        // Reads of many sizes, as TCP cuts a stream: each read's frames in parallel.
        for readSize in [2, 3, 7, 16, 64, frames.count] {
            var decoded: [Frame] = []
            var start = 0
            while start < frames.count {
                var read = Array(frames[start..<min(frames.count, start + readSize)])
                await OrderedDecoder(width: 4, decode: Self.decode).decode(&read)
                decoded += read
                start += readSize
            }
            #expect(decoded.map(Self.outcome) == serial, "reads of \(readSize) frames")
        }
    }

    @Test func smallReadsAreDecodedInTheFeedsTask() async {
        // Under OrderedDecoder.parallelBytes: no helper is involved, and the result is the same.
        var frames = (0..<5).map { index in
            Frame(
                feed: "aodb", position: .stream(peer: "p", connection: 1, offset: Int64(index)),
                bytes: Array("frame \(index)".utf8), receivedAtMilliseconds: 0)
        }
        await OrderedDecoder(width: 2) { .rejected(message: String(decoding: $0.bytes, as: UTF8.self), location: nil) }.decode(&frames)
        #expect(frames.map(Self.outcome) == (0..<5).map { "p#1@\($0) rejected frame \($0) at -" })
    }

    @Test func framesAlreadyDecodedKeepTheirResult() async {
        var frames = Self.frames()
        frames[4].decoded = .rejected(message: "decoded before", location: nil)
        await OrderedDecoder(width: 2, decode: Self.decode).decode(&frames)
        #expect(Self.outcome(frames[4]).hasSuffix("rejected decoded before at -"))
    }
}
