import FlightModel
import Postgres

/// Flights read back from `flightedge.flights` as engine state, with the state payload as
/// stored (the bytes that were published).
public struct RestoredFlights: Sendable {
    public var flights: [(state: FlightState, payload: [UInt8])] = []
    /// Rows that could not be turned back into state (left out, and counted for the log).
    public var unreadable = 0
}

extension HistoryWriter {
    /// Flights that have not ended long ago, by the same rule as housekeeping: not ended more
    /// than `retainHours` ago and updated in the last 7 days. Read at start-up.
    public func currentFlights(retainHours: Int) async throws -> RestoredFlights {
        try await restore(
            where: "(ends_at IS NULL OR ends_at > now() - make_interval(hours => $1)) AND updated_at > now() - interval '7 days'",
            [.int(retainHours)])
    }

    /// The named flights, for an update to a flight the engine no longer holds.
    public func flights(ids: some Collection<String>) async throws -> RestoredFlights {
        try await restore(where: "flight_id = ANY($1::text[])", [PostgresArray.text(Array(ids))])
    }

    /// Every flight id in the database.
    public func allFlightIDs() async throws -> Set<String> {
        var ids: Set<String> = []
        for row in try await read("SELECT flight_id FROM flightedge.flights").rows {
            if let id = row[0] { ids.insert(id) }
        }
        return ids
    }

    /// `condition` is one of the fixed conditions above, never text from outside.
    private func restore(where condition: StaticString, _ parameters: [PostgresValue]) async throws -> RestoredFlights {
        let rows = try await read(
            """
            SELECT flight_id, seq, (extract(epoch FROM updated_at) * 1000)::bigint, state::text, provenance::text
              FROM flightedge.flights WHERE \(condition)
            """, parameters
        ).rows
        var restored = RestoredFlights()
        for row in rows {
            guard let id = row[0], let key = FlightKey(flightID: id), let seq = row[1].flatMap({ Int64($0) }),
                let updated = row[2].flatMap({ Int64($0) }), let stateText = row[3], let provenanceText = row[4]
            else {
                restored.unreadable += 1
                continue
            }
            let payload = Array(stateText.utf8)
            do {
                let state = try FlightState.restore(
                    key: key, seq: seq, updatedAt: Timestamp(millisecondsSinceEpoch: updated), stateJSON: payload,
                    provenanceJSON: Array(provenanceText.utf8))
                restored.flights.append((state, payload))
            } catch {
                restored.unreadable += 1
            }
        }
        return restored
    }
}
