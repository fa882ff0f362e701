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
        let done: Void? = bytes.withContiguousStorageIfAvailable { consume(buffer: $0, into: &output) }
        if done == nil { Array(bytes).withUnsafeBufferPointer { consume(buffer: $0, into: &output) } }
    }

    /// Scans for line feeds and appends the runs between them whole (not byte by byte).
    private mutating func consume(buffer: UnsafeBufferPointer<UInt8>, into output: inout [FramerOutput]) {
        var start = 0
        while start < buffer.count {
            let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n"))
            let end = newline ?? buffer.count
            append(UnsafeBufferPointer(rebasing: buffer[start..<end]))
            guard let newline else { return }
            streamOffset += 1
            finishLine(into: &output)
            start = newline + 1
        }
    }

    /// Adds a run of bytes without a line feed to the current line.
    private mutating func append(_ run: UnsafeBufferPointer<UInt8>) {
        defer { streamOffset += Int64(run.count) }
        guard !run.isEmpty else { return }
        if discarding > 0 {
            discarding += Int64(run.count)
            return
        }
        if pending.isEmpty { pendingOffset = streamOffset }
        let room = maxFrameBytes - pending.count
        if run.count <= room {
            pending.append(contentsOf: run)
            return
        }
        // Too long: from here on the line is only counted, its first bytes kept.
        discarding = Int64(pending.count + run.count)
        pending.append(contentsOf: run.prefix(room))
        pending.removeSubrange(min(keptPrefixBytes, pending.count)...)
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
            output.append(.frame(bytes: exactCopy(pending), offset: pendingOffset, end: streamOffset))
            pending.removeAll(keepingCapacity: true)
        }
    }
}

