import FlightModel

import JSON

/// The stream's events (`/board/stream`), encoded once and sent to every screen.
///
/// - `update` (with an `id:`): `{"as_of":ms,"flights":[…],"removed":[ids]}`; each flight has the
///   values its row shows, as text ready to show: `sched` and `est` (`HH:MM` local), `des` (the
///   designators, operating flight first), `place` (airport code) and `name` (city), `gate`,
///   `belt` (arrivals), `st` (a ``BoardStatus`` raw value); and what the script needs to place
///   it: `dir`, `t` (sort time), `until` (leaves the list), `belt_until` (arrivals: leaves the
///   belt), `left_gate` (only when true). A member without a value is left out.
///   The script builds the row ``BoardRow/html(_:settings:until:)`` would render (the status
///   words come from the page), so an event is a fifth of the row's HTML: with 500 screens
///   open, bytes written are what a burst costs.
/// - `snapshot` (with an `id:`): the same shape; the screen drops every row it does not name.
/// - `status` (no id, every heartbeat): `{"now":ms,"stale":[feed names]}`.
public enum BoardEvents {
    /// Browsers wait this long before reconnecting to a stream that ended.
    public static let retryMilliseconds = 2000

    public static func update(_ update: BoardUpdate, asOf: Int64, settings: BoardSettings) -> [UInt8] {
        ServerSentEvent.event(
            "update", id: update.id.description, data: json(update.flights, removed: update.removed, asOf: asOf, settings: settings))
    }

    public static func snapshot(
        _ flights: [BoardFlight], id: BoardEventID, asOf: Int64, settings: BoardSettings
    ) -> [UInt8] {
        ServerSentEvent.event(
            "snapshot", id: id.description, retry: retryMilliseconds, data: json(flights, removed: [], asOf: asOf, settings: settings))
    }

    /// The heartbeat: a comment, and the feeds that are stale (the screen shows its banner).
    public static func heartbeat(now: Int64, staleFeeds: [String]) -> [UInt8] {
        ServerSentEvent.comment("heartbeat") + status(now: now, staleFeeds: staleFeeds)
    }

    /// The `status` event alone: what a new screen hears with its first bytes.
    public static func status(now: Int64? = nil, staleFeeds: [String]) -> [UInt8] {
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        if let now { writer.field("now", now) }
        writer.key("stale")
        writer.beginArray()
        for feed in staleFeeds { writer.string(feed) }
        writer.endArray()
        writer.endObject()
        return ServerSentEvent.event("status", data: writer.string)
    }

    /// The first bytes of every stream: the reconnection delay.
    public static func opening() -> [UInt8] {
        Array("retry: \(retryMilliseconds)\n\n".utf8)
    }

    static func json(_ flights: [BoardFlight], removed: [String], asOf: Int64, settings: BoardSettings) -> String {
        var writer = JSONWriter(capacity: 128 + flights.count * 260)
        writer.beginObject()
        writer.field("as_of", asOf)
        writer.key("flights")
        writer.beginArray()
        for flight in flights {
            writer.beginObject()
            writer.field("id", flight.id)
            writer.field("dir", flight.direction.letter)
            writer.field("t", flight.sortTime)
            writer.field("until", flight.leavesListAt)
            writer.field("st", flight.status.rawValue)
            writer.field("gate", flight.gate)
            // Only what the row shows or its boards need: every byte is sent once per screen.
            if flight.direction == .arrival {
                writer.field("belt", flight.belt)
                writer.field("belt_until", min(flight.leavesBeltAt, 9_007_199_254_740_991))
            }
            if flight.status.hasLeftGate {
                writer.key("left_gate")
                writer.bool(true)
            }
            if let scheduled = flight.scheduled { writer.field("sched", settings.localTime(scheduled)) }
            if let estimated = flight.estimated { writer.field("est", settings.localTime(estimated)) }
            writer.key("des")
            writer.beginArray()
            for designator in flight.designators { writer.string(designator) }
            writer.endArray()
            if let place = flight.place {
                writer.field("place", place)
                writer.field("name", BoardPlaces.name(of: place))
            }
            writer.endObject()
        }
        writer.endArray()
        writer.key("removed")
        writer.beginArray()
        for id in removed { writer.string(id) }
        writer.endArray()
        writer.endObject()
        return writer.string
    }
}
