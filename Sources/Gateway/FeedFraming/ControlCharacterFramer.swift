/// `stx-etx` framing: each frame between STX (0x02) and ETX (0x03), as AODB links and Type B
/// gateways send them.
///
/// A Type B message starts earlier, at SOH (0x01), with its address block before the STX of
/// its text: a frame opened by SOH keeps everything up to the ETX, its own STX included, so the
/// decoder sees the originator line. Bytes outside any frame (line ends between frames, noise)
/// are skipped and counted. A frame cut short (a new SOH/STX before the ETX, or the end of the
/// stream) is reported broken, so it lands in `rejected_frames` rather than vanishing.
///
/// A read is scanned for the next control byte eight bytes at a time (``ByteScan``), and the
/// runs between control bytes are copied whole: a frame that lies inside one read is copied
/// once, straight into its own array.
public struct ControlCharacterFramer: Framer {
    static let soh: UInt8 = 0x01
    static let stx: UInt8 = 0x02
    static let etx: UInt8 = 0x03

    public let maxFrameBytes: Int
    public private(set) var skippedBytes: Int64 = 0
    private var streamOffset: Int64 = 0

    /// Where the reader is: between frames, or inside one opened by SOH or STX.
    private enum Place {
        case outside
        /// In a frame opened by SOH; `textStarted` once its STX went by.
        case heading(textStarted: Bool)
        case text
    }
    private var place = Place.outside
    /// The current frame's bytes from earlier reads (or its kept prefix, once it is too long).
    private var pending: [UInt8] = []
    private var pendingOffset: Int64 = 0
    /// Bytes of the current frame dropped because it is too long (0: none).
    private var dropped: Int64 = 0

    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    public var offset: Int64 { streamOffset }

    public mutating func consume(_ bytes: some Collection<UInt8>, into output: inout [FramerOutput]) {
        let done: Void? = bytes.withContiguousStorageIfAvailable { consume(buffer: $0, into: &output) }
        if done == nil { Array(bytes).withUnsafeBufferPointer { consume(buffer: $0, into: &output) } }
    }

    private mutating func consume(buffer: UnsafeBufferPointer<UInt8>, into output: inout [FramerOutput]) {
        let base = streamOffset
        var index = 0
        while index < buffer.count {
            if case .outside = place {
                // Between frames: skip to the next SOH or STX.
                var next = index
                while next < buffer.count, buffer[next] != Self.soh, buffer[next] != Self.stx { next &+= 1 }
                skippedBytes += Int64(next - index)
                guard next < buffer.count else { break }
                streamOffset = base + Int64(next + 1)
                open(buffer[next] == Self.soh ? .heading(textStarted: false) : .text)
                index = next + 1
                continue
            }
            let next = ByteScan.firstFramingControl(in: buffer, from: index)
            guard next < buffer.count else {
                append(UnsafeBufferPointer(rebasing: buffer[index...]))
                break
            }
            let byte = buffer[next]
            streamOffset = base + Int64(next + 1)
            switch (place, byte) {
            case (_, Self.etx):
                close(with: UnsafeBufferPointer(rebasing: buffer[index..<next]), into: &output)
            case (.heading(textStarted: false), _):
                // An SOH inside the address block, or the STX of the text: both part of the frame.
                append(UnsafeBufferPointer(rebasing: buffer[index...next]))
                if byte == Self.stx { place = .heading(textStarted: true) }
            default:
                append(UnsafeBufferPointer(rebasing: buffer[index..<next]))
                cutShort(into: &output, reason: "frame not closed by ETX before the next \(byte == Self.soh ? "SOH" : "STX")")
                open(byte == Self.soh ? .heading(textStarted: false) : .text)
            }
            index = next + 1
        }
        streamOffset = base + Int64(buffer.count)
    }

    public mutating func finish(into output: inout [FramerOutput]) {
        if case .outside = place { return }
        cutShort(into: &output, reason: "stream ended inside a frame (no ETX)")
        place = .outside
    }

    /// Starts a frame whose opening byte is the last one consumed.
    private mutating func open(_ newPlace: Place) {
        place = newPlace
        pending.removeAll(keepingCapacity: true)
        pendingOffset = streamOffset - 1
        dropped = 0
    }

    /// Adds a run of the current frame's bytes; past `maxFrameBytes` they are only counted,
    /// the frame's first bytes kept for the operator.
    private mutating func append(_ run: UnsafeBufferPointer<UInt8>) {
        if dropped > 0 {
            dropped += Int64(run.count)
            return
        }
        let length = pending.count + run.count
        guard length > maxFrameBytes else {
            pending.append(contentsOf: run)
            return
        }
        dropped = Int64(length)
        let kept = min(keptPrefixBytes, maxFrameBytes)
        if pending.count < kept {
            pending.append(contentsOf: run.prefix(kept - pending.count))
        } else {
            pending.removeSubrange(kept...)
        }
    }

    /// Ends the frame at an ETX, `tail` being its bytes in this read.
    private mutating func close(with tail: UnsafeBufferPointer<UInt8>, into output: inout [FramerOutput]) {
        if dropped == 0, pending.count + tail.count <= maxFrameBytes {
            output.append(.frame(bytes: exactCopy(pending, tail), offset: pendingOffset, end: streamOffset))
        } else {
            append(tail)
            output.append(.oversize(prefix: pending, offset: pendingOffset, length: dropped, end: streamOffset))
        }
        place = .outside
        pending.removeAll(keepingCapacity: true)
        dropped = 0
    }

    private mutating func cutShort(into output: inout [FramerOutput], reason: String) {
        let kept = Array(pending.prefix(keptPrefixBytes))
        output.append(.broken(bytes: kept, offset: pendingOffset, end: streamOffset - 1, reason: reason))
        pending.removeAll(keepingCapacity: true)
        dropped = 0
    }
}
