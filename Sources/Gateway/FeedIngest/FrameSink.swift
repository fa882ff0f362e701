import FeedFraming
import Foundation
import Telemetry
import Timing

/// Where feed readers put frames: the pipeline's bounded queue plus the feed's counters.
public struct FrameSink: Sendable {
    public let queue: IngestQueue<Frame>
    public let counters: FeedCounters
    /// Decodes a frame in the feed's own task, before it is queued (nil: the pipeline does).
    public let decode: (@Sendable (Frame) -> DecodedFrame)?
    /// Decodes the frames of one read side by side, in feed order (``OrderedDecoder``).
    let ordered: OrderedDecoder?

    public init(
        queue: IngestQueue<Frame>, counters: FeedCounters, decode: (@Sendable (Frame) -> DecodedFrame)? = nil,
        decodeWidth: Int = OrderedDecoder.processorCount
    ) {
        self.queue = queue
        self.counters = counters
        self.decode = decode
        self.ordered = decode.map { OrderedDecoder(width: decodeWidth, decode: $0) }
    }

    /// Hands a frame to the pipeline, waiting while it is full (backpressure). False when the
    /// pipeline no longer takes frames (shutdown).
    public func deliver(_ frame: consuming Frame) async -> Bool {
        if frame.receivedAtNanoseconds == 0 { frame.receivedAtNanoseconds = monotonicNanoseconds() }
        counters.frameReceived(at: frame.receivedAtMilliseconds)
        if let decode, frame.decoded == nil { frame.decoded = decode(frame) }
        let weight = frame.bytes.count + 64 + (frame.decoded?.weight ?? 0)
        return await queue.push(consume frame, weight: weight)
    }

    /// Turns framer output into frames and delivers them in order; `position` maps an output
    /// (its start and end offsets) to where the frame was.
    func deliver(
        _ outputs: [FramerOutput], feed: String, position: (_ offset: Int64, _ end: Int64) -> FramePosition
    ) async -> Bool {
        let now = WallClock.milliseconds
        let received = monotonicNanoseconds()
        // Last frame first: each is then moved out with popLast, in feed order, not copied out
        // of the array (the decode is per frame, so the array's order does not matter to it).
        var frames = outputs.reversed().map { output in
            var frame = Frame(output, feed: feed, receivedAtMilliseconds: now, position: position)
            frame.receivedAtNanoseconds = received
            return frame
        }
        await ordered?.decode(&frames)
        while let frame = frames.popLast() {
            guard await deliver(consume frame) else { return false }
        }
        return true
    }

    /// Counts bytes the framer skipped since the last call.
    func skipped(_ framer: any Framer, since previous: inout Int64) {
        let now = framer.skippedBytes
        if now > previous { counters.bytesSkipped(now - previous) }
        previous = now
    }
}

extension Frame {
    /// A frame from what a framer found; an oversize or broken frame carries its framing error.
    public init(
        _ output: FramerOutput, feed: String, receivedAtMilliseconds: Int64,
        position: (_ offset: Int64, _ end: Int64) -> FramePosition
    ) {
        switch output {
        case .frame(let bytes, let offset, let end):
            self.init(feed: feed, position: position(offset, end), bytes: bytes, receivedAtMilliseconds: receivedAtMilliseconds)
        case .oversize(let prefix, let offset, let length, let end):
            self.init(
                feed: feed, position: position(offset, end), bytes: prefix, receivedAtMilliseconds: receivedAtMilliseconds,
                framingError: "frame of \(length) bytes exceeds max_frame_bytes; first \(prefix.count) bytes kept")
        case .broken(let bytes, let offset, let end, let reason):
            self.init(
                feed: feed, position: position(offset, end), bytes: bytes, receivedAtMilliseconds: receivedAtMilliseconds,
                framingError: reason)
        }
    }
}
