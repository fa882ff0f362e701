/// `stx-etx` framing: each frame between STX (0x02) and ETX (0x03), as AODB links and Type B
/// gateways send them.
///
/// A Type B message starts earlier, at SOH (0x01), with its address block before the STX of
/// its text: a frame opened by SOH keeps everything up to the ETX, its own STX included, so the
/// decoder sees the originator line. Bytes outside any frame (line ends between frames, noise)
/// are skipped and counted. A frame cut short (a new SOH/STX before the ETX, or the end of the
/// stream) is reported broken, so it lands in `rejected_frames` rather than vanishing.
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
    private var pending: [UInt8] = []
    private var pendingOffset: Int64 = 0
    /// Bytes of the current frame dropped because it is too long (0: none).
    private var dropped: Int64 = 0

    public init(maxFrameBytes: Int) {
        self.maxFrameBytes = maxFrameBytes
    }

    public var offset: Int64 { streamOffset }

    public mutating func consume(_ bytes: some Collection<UInt8>, into output: inout [FramerOutput]) {
        for byte in bytes {
            streamOffset += 1
            switch (place, byte) {
            case (.outside, Self.soh):
                open(.heading(textStarted: false))
            case (.outside, Self.stx):
                open(.text)
            case (.outside, _):
                skippedBytes += 1
            case (.heading(textStarted: false), Self.stx):
                place = .heading(textStarted: true)
                append(byte)
            case (.heading(textStarted: false), Self.soh):
                append(byte)  // a second SOH inside the address block
            case (_, Self.etx):
                close(into: &output)
            case (_, Self.soh), (_, Self.stx):
                cutShort(into: &output, reason: "frame not closed by ETX before the next \(byte == Self.soh ? "SOH" : "STX")")
                open(byte == Self.soh ? .heading(textStarted: false) : .text)
            default:
                append(byte)
            }
        }
    }

    public mutating func finish(into output: inout [FramerOutput]) {
        if case .outside = place { return }
        cutShort(into: &output, reason: "stream ended inside a frame (no ETX)")
        place = .outside
    }

    private mutating func open(_ newPlace: Place) {
        place = newPlace
        pending.removeAll(keepingCapacity: true)
        pendingOffset = streamOffset - 1
        dropped = 0
    }

    private mutating func append(_ byte: UInt8) {
        if dropped > 0 {
            dropped += 1
            return
        }
        pending.append(byte)
        if pending.count > maxFrameBytes {
            dropped = Int64(pending.count)
            pending.removeSubrange(min(keptPrefixBytes, maxFrameBytes)...)
        }
    }

    private mutating func close(into output: inout [FramerOutput]) {
        if dropped > 0 {
            output.append(.oversize(prefix: pending, offset: pendingOffset, length: dropped, end: streamOffset))
        } else {
            output.append(.frame(bytes: exactCopy(pending), offset: pendingOffset, end: streamOffset))
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
