import Postgres
import PostgresSupport

/// One flight as `flightedge history` and `flightedge flights` list it.
public struct FlightSummary: Sendable, Equatable {
    public var flightID: String
    /// The flight's date, `yyyy-MM-dd`.
    public var date: String
    /// `A` or `D`.
    public var direction: String
    /// Its current state as stored: the `flightedge.flight/1` JSON text.
    public var stateJSON: String
}

/// Finds flights by what a person types (a flight number, a gate, a status) rather than by
/// id: one short-lived connection, like ``HistoryReader``.
public struct FlightLookup: ~Copyable {
    private let connection: PostgresConnection

    /// Connects once.
    ///
    /// - Throws: ``StoreError`` with code `unreachable` when PostgreSQL cannot be reached.
    public init(conninfo: String, password: String?) throws(StoreError) {
        do {
            connection = try PostgresConnection(conninfo: conninfo, password: password)
        } catch {
            throw StoreError.wrapping(error, while: "cannot connect to PostgreSQL")
        }
    }

    /// The flights operated as `designator` (`KL9322`, `kl 9322`, `BA117A` for `BA0117A`, or a
    /// codeshare's number), case-insensitively, on `date` (`yyyy-MM-dd`) when given; newest first.
    public func flights(numbered designator: String, on date: String?) throws(StoreError) -> [FlightSummary] {
        let wanted = designator.uppercased().filter { !$0.isWhitespace }
        return try select(
            """
            WHERE ((upper(airline) = left($1, length(airline))
                    AND ltrim(number, '0') || coalesce(upper(suffix), '') = ltrim(substr($1, length(airline) + 1), '0'))
                   OR state->'codeshares' ? $1)
              AND ($2::date IS NULL OR flight_date = $2::date)
            ORDER BY flight_date DESC, direction, flight_id
            """, [.text(wanted), .optional(date)], while: "cannot look up flight \(designator)")
    }

    /// The board of `date`: its flights by scheduled time, only those at `gate` and with
    /// `status` when given (both case-insensitive).
    public func board(date: String, gate: String?, status: String?) throws(StoreError) -> [FlightSummary] {
        try select(
            """
            WHERE flight_date = $1::date
              AND ($2::text IS NULL OR upper(state->>'gate') = upper($2))
              AND ($3::text IS NULL OR lower(state->>'status') = lower($3))
            ORDER BY state->>'scheduled', flight_id
            """, [.text(date), .optional(gate), .optional(status)], while: "cannot read the flights of \(date)")
    }

    private func select(_ filter: String, _ parameters: [PostgresValue], while what: String) throws(StoreError) -> [FlightSummary] {
        let rows: [[String?]]
        do {
            rows = try connection.query(
                "SELECT flight_id, to_char(flight_date, 'YYYY-MM-DD'), direction, state::text FROM flightedge.flights " + filter,
                parameters
            ).rows
        } catch {
            throw StoreError.wrapping(error, while: what)
        }
        return rows.map { row in
            FlightSummary(flightID: row[0] ?? "", date: row[1] ?? "", direction: row[2] ?? "", stateJSON: row[3] ?? "{}")
        }
    }
}
