/// What payloads need beyond the flight: the airport and its time zone for local times.
public struct PayloadContext: Sendable {
    /// This airport's IATA code (`[airport] iata`), as in topics and payloads.
    public let airport: String
    /// This airport's time zone (`[airport] timezone`), for `*_local` times.
    public let zone: ZoneRules

    /// The context of one airport.
    public init(airport: String, zone: ZoneRules) {
        self.airport = airport
        self.zone = zone
    }

    /// The airport's UTC offset at `time`, seconds (DST-correct).
    public func offsetSeconds(at time: Timestamp) -> Int {
        zone.offsetSeconds(at: time)
    }

    /// `time` in the airport's local time, with its offset.
    public func local(_ time: Timestamp) -> String {
        time.iso8601(offsetSeconds: offsetSeconds(at: time))
    }
}
