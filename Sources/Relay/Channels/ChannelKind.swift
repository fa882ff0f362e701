/// The ways a passenger can be reached. The raw values are the API's and the database's words.
public enum ChannelKind: String, Sendable, Hashable, CaseIterable, Comparable {
    case email
    case sms
    case fcm
    case webpush

    public static func < (lhs: ChannelKind, rhs: ChannelKind) -> Bool { lhs.rawValue < rhs.rawValue }
}
