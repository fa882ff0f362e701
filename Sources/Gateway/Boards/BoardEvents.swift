import FlightModel

import JSON

/// The stream's events (`/board/stream`), encoded once and sent to every screen.
///
/// - `update` (with an `id:`): `{"as_of":ms,"flights":[…],"removed":[ids]}`; each flight has its
///   row's `html` and what the script needs to place it: `dir`, `gate`, `belt`, `t` (sort time),
///   `until` (leaves the list), `belt_until` (leaves the belt), `left_gate`.
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
        var writer = JSONWriter(capacity: 64)
        writer.beginObject()
        writer.field("now", now)
        writer.key("stale")
        writer.beginArray()
        for feed in staleFeeds { writer.string(feed) }
        writer.endArray()
        writer.endObject()
        return ServerSentEvent.comment("heartbeat") + ServerSentEvent.event("status", data: writer.string)
    }

    /// The first bytes of every stream: the reconnection delay.
    public static func opening() -> [UInt8] {
        Array("retry: \(retryMilliseconds)\n\n".utf8)
    }

    static func json(_ flights: [BoardFlight], removed: [String], asOf: Int64, settings: BoardSettings) -> String {
        var writer = JSONWriter(capacity: 128 + flights.count * 700)
        writer.beginObject()
        writer.field("as_of", asOf)
        writer.key("flights")
        writer.beginArray()
        for flight in flights {
            writer.beginObject()
            writer.field("id", flight.id)
            writer.field("dir", flight.direction.letter)
            writer.field("gate", flight.gate)
            writer.field("belt", flight.belt)
            writer.field("t", flight.sortTime)
            writer.field("until", flight.leavesListAt)
            writer.field("belt_until", min(flight.leavesBeltAt, 9_007_199_254_740_991))
            writer.key("left_gate")
            writer.bool(flight.status.hasLeftGate)
            writer.field("html", BoardRow.html(flight, settings: settings))
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
