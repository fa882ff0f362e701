public import Configuration

/// What a framer found in the bytes it was given.
public enum FramerOutput: Sendable, Equatable {
    /// A complete frame that started at `offset` in the stream; `end` is the offset just past
    /// its closing delimiter, where reading resumes after a restart.
    case frame(bytes: [UInt8], offset: Int64, end: Int64)
    /// A frame over `max_frame_bytes` that started at `offset`: `length` bytes were dropped
    /// (`prefix` holds the first ones, for the operator).
    case oversize(prefix: [UInt8], offset: Int64, length: Int64, end: Int64)
    /// Bytes that could not be framed (a frame cut short by the next start byte or by the end
    /// of the stream, a length prefix over the limit), with why: they go to `rejected_frames`.
    case broken(bytes: [UInt8], offset: Int64, end: Int64, reason: String)

    /// The stream offset just past this output.
    public var end: Int64 {
        switch self {
        case .frame(_, _, let end), .oversize(_, _, _, let end), .broken(_, _, let end, _): end
        }
    }
}

/// Cuts a byte stream into frames (DESIGN.md §1, "framing"). Framers are pure: no I/O, memory
/// bounded by `max_frame_bytes`, and never trap on any input.
public protocol Framer: Sendable {
    /// The stream offset just past the last byte consumed.
    var offset: Int64 { get }
    /// Bytes found outside any frame and skipped (`stx-etx`), so far.
    var skippedBytes: Int64 { get }
    /// Set once the stream cannot be framed any further (a length prefix over the limit): the
    /// reader stops reading and closes the connection, logging this reason.
    var failure: String? { get }
    /// Consumes `bytes` and appends everything they complete to `output`.
    mutating func consume(_ bytes: some Collection<UInt8>, into output: inout [FramerOutput])
    /// At the end of the stream: what is left is reported (a last line is a frame; a frame
    /// without its closing byte is broken).
    mutating func finish(into output: inout [FramerOutput])
}

extension Framer {
    public var skippedBytes: Int64 { 0 }
    public var failure: String? { nil }
}

/// The framer a feed's `framing` names. `file` (one frame per spool file) has no stream
/// framer; it gets `lf`, which is what a stream transport would mean by it.
public func makeFramer(_ framing: Framing, maxFrameBytes: Int) -> any Framer {
    switch framing {
    case .lf, .file: LineFramer(maxFrameBytes: maxFrameBytes)
    case .stxEtx: ControlCharacterFramer(maxFrameBytes: maxFrameBytes)
    case .lengthPrefix: LengthPrefixFramer(maxFrameBytes: maxFrameBytes)
    }
}

/// How many bytes of an oversize or broken frame are kept for the operator to look at.
public let keptPrefixBytes = 1024

/// A frame's bytes in a buffer of their own, exactly their size; the framer keeps reusing its
/// working buffer.
///
/// Handing the working buffer itself to each frame (and starting a new one with
/// `removeAll(keepingCapacity:)`) gave frames 130 bytes of slack each, and in the daemon
/// buffers outlived their frames: during a 190,000-line burst heaptrack counted ~100,000 of
/// them alive while a live-frame counter never passed 8,000, and the heap peaked at 100 MB
/// instead of 45 MB (docs/PERFORMANCE.md).
///
/// Reserved, then appended: `Array(unsafeUninitializedCapacity:)` allocates through the
/// standard library's unspecialized path, which looks the array's type up in the runtime's
/// metadata cache on every call (~680 instructions a frame, callgrind); `reserveCapacity` is
/// specialized here.
func exactCopy(_ bytes: [UInt8]) -> [UInt8] {
    var copy: [UInt8] = []
    copy.reserveCapacity(bytes.count)
    copy.append(contentsOf: bytes)
    return copy
}

/// A frame's bytes from earlier reads (`head`) and from this one (`tail`) in one buffer of
/// exactly their size: the bytes of this read are copied once.
func exactCopy(_ head: [UInt8], _ tail: UnsafeBufferPointer<UInt8>) -> [UInt8] {
    var copy: [UInt8] = []
    copy.reserveCapacity(head.count + tail.count)
    copy.append(contentsOf: head)
    copy.append(contentsOf: tail)
    return copy
}
