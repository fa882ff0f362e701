import FeedFormats
import FeedIngest
import FlightModel

/// A frame's updates, or why it is rejected: the one mapping from frame to updates, used by the
/// pipeline and by `flightedge parse`, so both say the same thing about the same bytes.
public enum FrameDecoding {
    /// Decodes `frame` with its feed's `decoder`; a frame the framer already refused (oversize,
    /// broken) is rejected with the framer's reason.
    public static func updates(of frame: Frame, decoder: (any FrameDecoder)?) -> Result<[FlightUpdate], DecodeError> {
        if let decoded = frame.decoded { return outcome(of: decoded) }
        if let framingError = frame.framingError { return .failure(DecodeError(framingError)) }
        guard let decoder else { return .failure(DecodeError("no decoder for feed \(frame.feed)")) }
        do {
            let context = FrameContext(
                feed: frame.feed,
                receivedAt: Timestamp(millisecondsSinceEpoch: frame.receivedAtMilliseconds))
            return .success(try decoder.decode(frame.bytes, context: context))
        } catch {
            return .failure(error)
        }
    }

    /// What a frame decoded in its feed's task says.
    public static func outcome(of decoded: consuming DecodedFrame) -> Result<[FlightUpdate], DecodeError> {
        switch consume decoded {
        case .updates(let updates): .success(updates)
        case .rejected(let message, let location): .failure(DecodeError(message, at: location))
        }
    }

    /// The same, as a frame carries it from its feed's task to the pipeline.
    public static func decoded(_ frame: Frame, decoder: (any FrameDecoder)?) -> DecodedFrame {
        switch updates(of: frame, decoder: decoder) {
        case .success(let updates): .updates(updates)
        case .failure(let error): .rejected(message: error.message, location: error.location)
        }
    }
}
