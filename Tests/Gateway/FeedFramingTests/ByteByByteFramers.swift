import FeedFraming

// The framers as they were before they scanned whole reads (commit ffa034a): one byte at a
// time, every rule spelled out per byte. Kept as the specification the fast framers are
// checked against (FramerEquivalenceTests), not used by the gateway.

/// `stx-etx`, byte by byte.
struct ByteByByteControlCharacterFramer: Framer {
    private enum Place { case outside, heading(textStarted: Bool), text }
    let maxFrameBytes: Int
    private(set) var skippedBytes: Int64 = 0
    private(set) var offset: Int64 = 0
    private var place = Place.outside
    private var pending: [UInt8] = []
    private var pendingOffset: Int64 = 0
    private var dropped: Int64 = 0

    init(maxFrameBytes: Int) { self.maxFrameBytes = maxFrameBytes }

    mutating func consume(_ bytes: some Collection<UInt8>, into output: inout [FramerOutput]) {
        for byte in bytes {
            offset += 1
            switch (place, byte) {
            case (.outside, 0x01): open(.heading(textStarted: false))
            case (.outside, 0x02): open(.text)
            case (.outside, _): skippedBytes += 1
            case (.heading(textStarted: false), 0x02):
                place = .heading(textStarted: true)
                append(byte)
            case (.heading(textStarted: false), 0x01): append(byte)
            case (_, 0x03):
                output.append(
                    dropped > 0
                        ? .oversize(prefix: pending, offset: pendingOffset, length: dropped, end: offset)
                        : .frame(bytes: pending, offset: pendingOffset, end: offset))
                place = .outside
                pending = []
                dropped = 0
            case (_, 0x01), (_, 0x02):
                cutShort(into: &output, reason: "frame not closed by ETX before the next \(byte == 0x01 ? "SOH" : "STX")")
                open(byte == 0x01 ? .heading(textStarted: false) : .text)
            default: append(byte)
            }
        }
    }

    mutating func finish(into output: inout [FramerOutput]) {
        if case .outside = place { return }
        cutShort(into: &output, reason: "stream ended inside a frame (no ETX)")
        place = .outside
    }

    private mutating func open(_ newPlace: Place) {
        place = newPlace
        pending = []
        pendingOffset = offset - 1
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

    private mutating func cutShort(into output: inout [FramerOutput], reason: String) {
        output.append(.broken(bytes: Array(pending.prefix(keptPrefixBytes)), offset: pendingOffset, end: offset - 1, reason: reason))
        pending = []
        dropped = 0
    }
}

/// `lf`, byte by byte.
struct ByteByByteLineFramer: Framer {
    let maxFrameBytes: Int
    private(set) var offset: Int64 = 0
    private var pending: [UInt8] = []
    private var pendingOffset: Int64 = 0
    private var discarding: Int64 = 0

    init(maxFrameBytes: Int) { self.maxFrameBytes = maxFrameBytes }

    mutating func consume(_ bytes: some Collection<UInt8>, into output: inout [FramerOutput]) {
        for byte in bytes {
            offset += 1
            if byte == 0x0A {
                finishLine(into: &output)
            } else if discarding > 0 {
                discarding += 1
            } else {
                if pending.isEmpty { pendingOffset = offset - 1 }
                pending.append(byte)
                if pending.count > maxFrameBytes {
                    discarding = Int64(pending.count)
                    pending.removeSubrange(min(keptPrefixBytes, maxFrameBytes)...)
                }
            }
        }
    }

    mutating func finish(into output: inout [FramerOutput]) { finishLine(into: &output) }

    private mutating func finishLine(into output: inout [FramerOutput]) {
        if discarding > 0 {
            output.append(.oversize(prefix: pending, offset: pendingOffset, length: discarding, end: offset))
            discarding = 0
            pending = []
            return
        }
        if pending.last == 0x0D { pending.removeLast() }
        if !pending.isEmpty { output.append(.frame(bytes: pending, offset: pendingOffset, end: offset)) }
        pending = []
    }
}

/// `length-prefix`, byte by byte.
struct ByteByByteLengthPrefixFramer: Framer {
    let maxFrameBytes: Int
    private(set) var failure: String?
    private(set) var offset: Int64 = 0
    private var header: [UInt8] = []
    private var expected = 0
    private var pending: [UInt8] = []
    private var pendingOffset: Int64 = 0

    init(maxFrameBytes: Int) { self.maxFrameBytes = maxFrameBytes }

    mutating func consume(_ bytes: some Collection<UInt8>, into output: inout [FramerOutput]) {
        guard failure == nil else { return }
        for byte in bytes {
            offset += 1
            if expected == 0 {
                if header.isEmpty { pendingOffset = offset - 1 }
                header.append(byte)
                guard header.count == 4 else { continue }
                let length = header.reduce(0) { $0 << 8 | Int($1) }
                header = []
                if length > maxFrameBytes {
                    let reason = "length prefix \(length) exceeds max_frame_bytes \(maxFrameBytes); closing the connection"
                    failure = reason
                    output.append(.broken(bytes: [], offset: pendingOffset, end: offset, reason: reason))
                    return
                }
                expected = length
                continue
            }
            pending.append(byte)
            if pending.count == expected {
                output.append(.frame(bytes: pending, offset: pendingOffset, end: offset))
                pending = []
                expected = 0
            }
        }
    }

    mutating func finish(into output: inout [FramerOutput]) {
        guard failure == nil, expected > 0 || !header.isEmpty else { return }
        let got = expected > 0 ? "\(pending.count) of \(expected) bytes" : "\(header.count) of 4 length bytes"
        output.append(
            .broken(bytes: Array(pending.prefix(keptPrefixBytes)), offset: pendingOffset, end: offset,
                    reason: "stream ended inside a frame (\(got))"))
        pending = []
        header = []
        expected = 0
    }
}
