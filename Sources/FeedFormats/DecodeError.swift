import FlightModel

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

/// Turns one frame's bytes into flight updates. Implementations are pure and never trap:
/// every bad input is a ``DecodeError``.
public protocol FrameDecoder: Sendable {
    /// Decodes one frame of feed `feed` found at `position`.
    func decode(_ bytes: [UInt8], feed: String, position: String) throws(DecodeError) -> [FlightUpdate]
}
