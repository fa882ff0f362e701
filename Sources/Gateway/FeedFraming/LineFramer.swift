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

    /// Scans for line feeds eight bytes at a time; a line inside this read becomes a frame with
    /// one copy, the runs of a line split across reads are appended whole.
    private mutating func consume(buffer: UnsafeBufferPointer<UInt8>, into output: inout [FramerOutput]) {
        var start = 0
        while start < buffer.count {
            let newline = ByteScan.firstIndex(of: UInt8(ascii: "\n"), in: buffer, from: start)
            let run = UnsafeBufferPointer(rebasing: buffer[start..<newline])
            guard newline < buffer.count else {
                append(run)
                return
            }
            start = newline + 1
            if pending.isEmpty, discarding == 0, run.count <= maxFrameBytes {
                let line = run.last == UInt8(ascii: "\r") ? UnsafeBufferPointer(rebasing: run.dropLast()) : run
                let lineOffset = streamOffset
                streamOffset += Int64(run.count + 1)
                if !line.isEmpty {
                    output.append(.frame(bytes: exactCopy([], line), offset: lineOffset, end: streamOffset))
                }
                continue
            }
            append(run)
            streamOffset += 1
            finishLine(into: &output)
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

