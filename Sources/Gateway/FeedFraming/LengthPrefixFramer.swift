/// `length-prefix` framing: each frame after its length as a 4-byte big-endian integer.
///
/// There is no way to resynchronise a stream whose length prefix cannot be trusted: a length
/// over `max_frame_bytes` sets ``failure`` (the reader logs it and closes the connection) and
/// the prefix is reported broken, so the refusal is in `rejected_frames` too. A zero length is
/// an empty frame and skipped.
public struct LengthPrefixFramer: Framer {
    public let maxFrameBytes: Int
    public private(set) var failure: String?
    private var streamOffset: Int64 = 0
    private var header: [UInt8] = []
    /// The frame being read: its announced length and start.
    private var expected = 0
    private var pending: [UInt8] = []
    private var pendingOffset: Int64 = 0

    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
        header.reserveCapacity(4)
    }

    public var offset: Int64 { streamOffset }

    public mutating func consume(_ bytes: some Collection<UInt8>, into output: inout [FramerOutput]) {
        guard failure == nil else { return }
        let done: Void? = bytes.withContiguousStorageIfAvailable { consume(buffer: $0, into: &output) }
        if done == nil { Array(bytes).withUnsafeBufferPointer { consume(buffer: $0, into: &output) } }
    }

    /// Reads the length bytes one by one and a frame's bytes as one run per read: a frame
    /// inside this read is copied once, straight into its own array.
    private mutating func consume(buffer: UnsafeBufferPointer<UInt8>, into output: inout [FramerOutput]) {
        var index = 0
        while index < buffer.count {
            if expected == 0 {
                streamOffset += 1
                if header.isEmpty { pendingOffset = streamOffset - 1 }
                header.append(buffer[index])
                index += 1
                guard header.count == 4 else { continue }
                let length = header.reduce(0) { $0 << 8 | Int($1) }
                header.removeAll(keepingCapacity: true)
                if length > maxFrameBytes {
                    let reason = "length prefix \(length) exceeds max_frame_bytes \(maxFrameBytes); closing the connection"
                    failure = reason
                    output.append(.broken(bytes: [], offset: pendingOffset, end: streamOffset, reason: reason))
                    return
                }
                expected = length
                continue
            }
            let take = min(expected - pending.count, buffer.count - index)
            let run = UnsafeBufferPointer(rebasing: buffer[index..<index + take])
            index += take
            streamOffset += Int64(take)
            if pending.count + take == expected {
                output.append(.frame(bytes: exactCopy(pending, run), offset: pendingOffset, end: streamOffset))
                pending.removeAll(keepingCapacity: true)
                expected = 0
            } else {
                if pending.isEmpty { pending.reserveCapacity(expected) }
                pending.append(contentsOf: run)
            }
        }
    }

    public mutating func finish(into output: inout [FramerOutput]) {
        guard failure == nil, expected > 0 || !header.isEmpty else { return }
        let got = expected > 0 ? "\(pending.count) of \(expected) bytes" : "\(header.count) of 4 length bytes"
        output.append(
            .broken(bytes: Array(pending.prefix(keptPrefixBytes)), offset: pendingOffset, end: streamOffset,
                    reason: "stream ended inside a frame (\(got))"))
        pending.removeAll()
        header.removeAll()
        expected = 0
    }
}
