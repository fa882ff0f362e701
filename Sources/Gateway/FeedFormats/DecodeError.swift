public import FlightModel

/// Why a frame could not be turned into flight updates: what was wrong and where, for the
/// operator reading `rejected_frames` or `flightedge parse`'s errors.
public struct DecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the frame, when known ("byte 17", "line 3, column gate", "FlightLeg[2]").
    public var location: String?
    public var message: String

    public init(_ message: String, at location: String? = nil) {
        self.message = message
        self.location = location
    }

    public var description: String {
        if let location { return "\(location): \(message)" }
        return message
    }
}

/// What a decoder knows about a frame besides its bytes.
public struct FrameContext: Sendable {
    /// The feed's configured name.
    public var feed: String
    /// When FlightEdge received the frame: the anchor for formats that give only a day of
    /// the month (Type B MVT) or only a local clock time.
    public var receivedAt: Timestamp

    public init(feed: String, receivedAt: Timestamp) {
        self.feed = feed
        self.receivedAt = receivedAt
    }
}

/// Turns one frame's bytes into flight updates. Implementations are pure and never trap:
/// every bad input is a ``DecodeError``.
public protocol FrameDecoder: Sendable {
    /// Decodes one frame.
    func decode(_ bytes: [UInt8], context: FrameContext) throws(DecodeError) -> [FlightUpdate]
}
