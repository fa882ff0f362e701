import Foundation

/// Where feed readers put frames: the pipeline's bounded queue plus the feed's counters.
public struct FrameSink: Sendable {
    public let queue: IngestQueue<Frame>
    public let counters: FeedCounters

    public init(queue: IngestQueue<Frame>, counters: FeedCounters) {
        self.queue = queue
        self.counters = counters
    }

    /// Hands a frame to the pipeline, waiting while it is full (backpressure). False when the
    /// pipeline no longer takes frames (shutdown).
    public func deliver(_ frame: Frame) async -> Bool {
        counters.frameReceived(at: frame.receivedAtMilliseconds)
        return await queue.push(frame, weight: frame.bytes.count + 64)
    }

    /// Turns framer output into frames and delivers them in order.
    func deliver(
        _ outputs: [LineFramer.Output], feed: String, position: (Int64) -> FramePosition
    ) async -> Bool {
        let now = currentMilliseconds()
        for output in outputs {
            let frame = Frame(output, feed: feed, receivedAtMilliseconds: now, position: position)
            guard await deliver(frame) else { return false }
        }
        return true
    }
}

extension Frame {
    /// A frame from what a framer found; an oversize frame carries its framing error.
    init(_ output: LineFramer.Output, feed: String, receivedAtMilliseconds: Int64, position: (Int64) -> FramePosition) {
        switch output {
        case .frame(let bytes, let offset):
            self.init(feed: feed, position: position(offset), bytes: bytes, receivedAtMilliseconds: receivedAtMilliseconds)
        case .oversize(let prefix, let offset, let length):
            self.init(
                feed: feed, position: position(offset), bytes: prefix, receivedAtMilliseconds: receivedAtMilliseconds,
                framingError: "frame of \(length) bytes exceeds max_frame_bytes; first \(prefix.count) bytes kept")
        }
    }
}

/// Wall-clock milliseconds since 1970.
func currentMilliseconds() -> Int64 {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
}
