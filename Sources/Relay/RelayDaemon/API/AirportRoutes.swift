import Configuration
import Foundation
import Hummingbird
import JSON
import RelayStore
import Synchronization

/// `GET /v1/airports` (RELAY.md): each airport's stream at the centre, by code:
/// `[{"airport", "events", "highest_contiguous_seq", "open_gaps", "replays", "last_event_at", "status"}]`,
/// and (added) `missing_events`, `last_heard_at`, `gateway` (`online`/`offline`, its retained
/// status) and `bridge` (`connected`/`disconnected`, its bridge's notification), null until heard.
/// No key, like `/metrics`: it says nothing about passengers.
enum AirportRoutes {
    /// The `[central]` thresholds the status is judged by; the relay sets them at start (the
    /// routes' table is built before and shared by the API's other owners).
    static let thresholds = Mutex(AirportThresholds(RelayCentralConfig()))

    static func configure(_ central: RelayCentralConfig) {
        thresholds.withLock { $0 = AirportThresholds(central) }
    }

    static func list(_ store: RelayStore) async throws -> Response {
        let airports = try await store.airportStreams()
        let thresholds = thresholds.withLock { $0 }
        return RelayRoutes.json(.ok, json(airports, thresholds: thresholds))
    }

    static func json(_ airports: [AirportStreamRecord], thresholds: AirportThresholds) -> [UInt8] {
        var writer = JSONWriter()
        writer.beginArray()
        for airport in airports {
            writer.beginObject()
            writer.field("airport", airport.airport)
            writer.field("events", airport.events)
            writer.field("highest_contiguous_seq", airport.highestContiguous)
            writer.field("open_gaps", airport.openGaps)
            writer.field("missing_events", airport.missing)
            writer.field("replays", airport.replays)
            writer.field(
                "last_event_at", Date(timeIntervalSince1970: airport.lastEventAt).formatted(.iso8601))
            writer.field(
                "last_heard_at", Date(timeIntervalSince1970: airport.lastHeardAt).formatted(.iso8601))
            writer.field("gateway", airport.gateway)
            writer.field("bridge", airport.bridge)
            writer.field("status", thresholds.status(of: airport).rawValue)
            writer.endObject()
        }
        writer.endArray()
        return writer.bytes
    }
}
