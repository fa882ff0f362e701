/// `[central]`: the relay's watch over each airport's event stream (issue #13, docs/CENTRAL.md).
public struct RelayCentralConfig: Sendable, Equatable {
    /// `replay_after_seconds`: a hole in an airport's `stream_seq` that made no progress this long
    /// is asked for again (`flightedge/{IATA}/cmd/replay`). Two relay instances commit out of
    /// order for milliseconds; a lost event never arrives.
    public var replayAfterSeconds = 30
    /// `replay_backoff_max_seconds`: while the hole stays open the request is repeated, the wait
    /// doubling each time up to this.
    public var replayBackoffMaxSeconds = 600
    /// `silent_after_seconds`: an airport with no event for this long is `silent` in `/v1/airports`.
    public var silentAfterSeconds = 300

    public init() {}
}

extension ConfigLoader {
    func loadCentral(_ table: TOMLTable?) -> RelayCentralConfig {
        var reader = reader(table, "central")
        var central = RelayCentralConfig()
        central.replayAfterSeconds = reader.integer("replay_after_seconds", default: 30, range: 1...86_400)
        central.replayBackoffMaxSeconds = reader.integer("replay_backoff_max_seconds", default: 600, range: 1...86_400)
        central.silentAfterSeconds = reader.integer("silent_after_seconds", default: 300, range: 1...604_800)
        reader.finish()
        return central
    }
}
