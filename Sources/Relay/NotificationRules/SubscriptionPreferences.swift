public import FlightModel

/// What one subscription asked for: which kinds, in which language, in which time zone, and when
/// not to be disturbed.
public struct SubscriptionPreferences: Sendable, Hashable {
    /// The kinds a subscription gets when it names none: gate-change, delay, cancellation,
    /// diversion, reinstatement.
    public static let defaultKinds: Set<EventKind> = [.gateChange, .delay, .cancellation, .diversion, .reinstatement]

    /// The kinds asked for. Cancellation, diversion and reinstatement are told whatever this
    /// says (a passenger must know); `gate-change` or `terminal-change` turns on both (one topic).
    public var kinds: Set<EventKind>
    /// BCP 47 language (`en`, `de`, `de-CH`); the text falls back to English.
    public var locale: String
    /// IANA time zone (`Europe/Zurich`) for quiet hours and the times shown; nil: UTC.
    public var timeZone: String?
    /// Quiet hours in that zone; nil: none.
    public var quietHours: QuietHours?

    public init(
        kinds: Set<EventKind> = SubscriptionPreferences.defaultKinds, locale: String = "en", timeZone: String? = nil,
        quietHours: QuietHours? = nil
    ) {
        self.kinds = kinds
        self.locale = locale
        self.timeZone = timeZone
        self.quietHours = quietHours
    }

    /// True when notifications of `kind` are wanted (see ``kinds`` for the ones always told).
    public func wants(_ kind: EventKind) -> Bool {
        switch kind {
        case .cancellation, .diversion, .reinstatement: true
        case .gateChange, .terminalChange: kinds.contains(.gateChange) || kinds.contains(.terminalChange)
        default: kinds.contains(kind)
        }
    }
}
