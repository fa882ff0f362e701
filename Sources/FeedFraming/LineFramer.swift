/// Splits a byte stream into frames at line feeds (`lf` framing), tolerating CR LF.
///
/// Memory stays bounded by `maxFrameBytes`: a line longer than that is reported as oversize
/// (with its first bytes kept for `rejected_frames`) and the framer resynchronises at the next
/// line feed. Empty lines are skipped.
public struct LineFramer: Framer {
    public let maxFrameBytes: Int
    private var pending: [UInt8] = []
    private var pendingOffset: Int64 = 0
    private var streamOffset: Int64 = 0
    /// Bytes of the current line dropped so far because it is too long.
    private var discarding: Int64 = 0

    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    public var offset: Int64 { streamOffset }

    public mutating func consume(_ bytes: some Collection<UInt8>, into output: inout [FramerOutput]) {
        for byte in bytes {
            streamOffset += 1
            if byte == UInt8(ascii: "\n") {
                finishLine(into: &output)
                continue
            }
            if discarding > 0 {
                discarding += 1
                continue
            }
            if pending.isEmpty { pendingOffset = streamOffset - 1 }
            pending.append(byte)
            if pending.count > maxFrameBytes {
                discarding = Int64(pending.count)
                pending.removeSubrange(min(keptPrefixBytes, maxFrameBytes)...)
            }
        }
    }

    /// At end of stream: a last line without a line feed is still a frame.
    public mutating func finish(into output: inout [FramerOutput]) {
        finishLine(into: &output)
    }

    private mutating func finishLine(into output: inout [FramerOutput]) {
        if discarding > 0 {
            output.append(.oversize(prefix: pending, offset: pendingOffset, length: discarding, end: streamOffset))
            discarding = 0
            pending.removeAll(keepingCapacity: true)
            return
        }
        if pending.last == UInt8(ascii: "\r") { pending.removeLast() }
        if !pending.isEmpty {
            output.append(.frame(bytes: pending, offset: pendingOffset, end: streamOffset))
            pending.removeAll(keepingCapacity: true)
        }
    }
}
