/// One changed field of one applied update: a row of `flight_changes`.
public struct FieldChange: Sendable, Hashable {
    /// The field that changed.
    public var field: FlightField
    /// The value before; nil when it was unknown or cleared.
    public var old: FieldValue?
    /// The value after; nil when the update cleared it.
    public var new: FieldValue?
    /// The feed of the update.
    public var feed: String
    /// The update's source time, if it had one.
    public var sourceTime: Timestamp?

    /// A change of `field` from `old` to `new` (nil: unknown/cleared).
    public init(field: FlightField, old: FieldValue?, new: FieldValue?, feed: String, sourceTime: Timestamp?) {
        self.field = field
        self.old = old
        self.new = new
        self.feed = feed
        self.sourceTime = sourceTime
    }
}
