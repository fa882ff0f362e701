public import FlightModel
import JSON

/// One message from a feed, with where it came from (DESIGN.md §1).
public struct Frame: Sendable {
    /// The feed's configured name.
    public var feed: String
    /// Where in the feed the frame was: enough for an operator to find it again.
    public var position: FramePosition
    /// The frame's bytes, without the framing (delimiters, length prefix).
    public var bytes: [UInt8]
    /// Wall-clock receipt time, milliseconds since 1970 (UTC).
    public var receivedAtMilliseconds: Int64
    /// Monotonic receipt time in nanoseconds, for latency measurements (0: not taken).
    public var receivedAtNanoseconds: UInt64 = 0
    /// Why the framer refused this frame (oversize, garbage between frames), if it did; the
    /// bytes then hold what was kept of it for `rejected_frames`.
    public var framingError: String?
    /// Set on the frames of a spool file: the pipeline calls it after the commit that covers
    /// the file's last frame.
    public var fileCompletion: FileCompletion?
    /// The frame's updates, decoded by its feed's own task before it was queued (nil: the
    /// pipeline decodes it). A slow frame then delays its own feed, never another feed's commit.
    public var decoded: DecodedFrame?

    public init(
        feed: String, position: FramePosition, bytes: [UInt8], receivedAtMilliseconds: Int64,
        framingError: String? = nil
    ) {
        self.feed = feed
        self.position = position
        self.bytes = bytes
        self.receivedAtMilliseconds = receivedAtMilliseconds
        self.framingError = framingError
    }
}

/// What a frame decoded to: its updates, or why it is rejected.
public enum DecodedFrame: Sendable {
    case updates([FlightUpdate])
    case rejected(message: String, location: String?)

    /// About what it holds in memory, for the queue's byte bound.
    var weight: Int {
        switch self {
        case .updates(let updates): updates.count * 512
        case .rejected(let message, let location): message.utf8.count + (location?.utf8.count ?? 0)
        }
    }
}

/// Where a frame came from.
public enum FramePosition: Sendable, Hashable, CustomStringConvertible {
    /// A byte offset in a TCP stream from one peer (connection counted from the daemon's start).
    case stream(peer: String, connection: Int, offset: Int64)
    /// A byte offset in a spool file.
    case file(name: String, offset: Int64)
    /// A byte offset in a tailed file, which file (its inode: the name moves on rotation) and
    /// where the next frame starts: the position a restart resumes from.
    case tail(name: String, inode: UInt64, offset: Int64, end: Int64)
    /// A byte offset in a pulled response (`http-poll`): when it was polled (milliseconds since
    /// 1970, UTC) and the server's tag for it (its ETag, else its Last-Modified), if it sent one.
    case poll(at: Int64, tag: String?, offset: Int64)

    public var description: String {
        switch self {
        case .poll(let at, let tag, let offset):
            "poll \(Timestamp(millisecondsSinceEpoch: at).iso8601)\(tag.map { " " + $0 } ?? "")@\(offset)"
        case .stream(let peer, let connection, let offset): Self.text(peer, connection: connection, offset: offset)
        case .file(let name, let offset), .tail(let name, _, let offset, _): Self.text(name, connection: nil, offset: offset)
        }
    }

    /// `name#connection@offset`, or `name@offset`, written once into a string of its size: every
    /// update carries its frame's position, and interpolation cost ~1,100 instructions a frame.
    private static func text(_ name: String, connection: Int?, offset: Int64) -> String {
        var name = name
        return name.withUTF8 { head in
            String(unsafeUninitializedCapacity: head.count + 2 + 20 + 20) { out in
                let base = out.baseAddress!
                var at = head.count
                if let start = head.baseAddress { base.update(from: start, count: head.count) }
                if let connection {
                    base[at] = UInt8(ascii: "#")
                    at += 1 + JSONWriter.writeDecimal(Int64(connection), to: base + at + 1)
                }
                base[at] = UInt8(ascii: "@")
                return at + 1 + JSONWriter.writeDecimal(offset, to: base + at + 1)
            }
        }
    }
}

/// What the pipeline does after committing the last frame of a spool file.
public struct FileCompletion: Sendable {
    /// The file's name in the spool folder.
    public var name: String
    /// True on the file's last frame: committing it finishes the file.
    public var isLast: Bool
    /// Moves the file; `rejectedAll` when not one of its frames could be used.
    public var complete: @Sendable (_ rejectedAll: Bool) -> Void

    public init(name: String, isLast: Bool, complete: @escaping @Sendable (_ rejectedAll: Bool) -> Void) {
        self.name = name
        self.isLast = isLast
        self.complete = complete
    }
}
