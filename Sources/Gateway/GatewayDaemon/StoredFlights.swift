import FlightModel
import HistoryStore
import Postgres

/// Reads flights back from `flightedge.flights`: state payload, provenance and `seq`, turned
/// into engine state. Used at start-up and when an update names a flight not in memory.
enum StoredFlights {
    /// Flights whose rows match `condition` (a SQL boolean over `flights` with parameters).
    /// Rows that cannot be restored are counted in `unreadable` and left out.
    static func load(
        from writer: HistoryWriter, where condition: String, _ parameters: [PostgresValue]
    ) async throws -> (flights: [(state: FlightState, payload: [UInt8])], unreadable: Int) {
        let rows = try await writer.read(
            """
            SELECT flight_id, seq, (extract(epoch FROM updated_at) * 1000)::bigint, state::text, provenance::text
              FROM flightedge.flights WHERE \(condition)
            """, parameters
        ).rows
        var flights: [(state: FlightState, payload: [UInt8])] = []
        var unreadable = 0
        for row in rows {
            guard let id = row[0], let key = FlightKey(flightID: id), let seq = row[1].flatMap({ Int64($0) }),
                let updated = row[2].flatMap({ Int64($0) }), let stateText = row[3], let provenanceText = row[4]
            else {
                unreadable += 1
                continue
            }
            let payload = Array(stateText.utf8)
            do {
                let state = try FlightState.restore(
                    key: key, seq: seq, updatedAt: Timestamp(millisecondsSinceEpoch: updated), stateJSON: payload,
                    provenanceJSON: Array(provenanceText.utf8))
                flights.append((state, payload))
            } catch {
                unreadable += 1
            }
        }
        return (flights, unreadable)
    }
}
