import Postgres
import PostgresSupport

/// One recorded change of one field of a flight (`flightedge.flight_changes`).
public struct FlightChange: Sendable, Equatable {
    public var seq: Int64
    /// ISO 8601 UTC with milliseconds.
    public var receivedAt: String
    /// ISO 8601 UTC, when the feed gave one.
    public var sourceTime: String?
    public var feed: String
    public var field: String
    /// JSON text; nil when the field had no value.
    public var oldJSON: String?
    public var newJSON: String?
}

/// The store as the command-line tools see it: one short-lived connection that does not wait
/// out an outage (a person is waiting) and never takes the daemon's writer lock.
public struct HistoryReader: ~Copyable {
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

    /// Applies the schema migrations (`flightedge migrate`).
    public func migrate() throws(MigrationError) -> SchemaMigrator.Outcome {
        try SchemaMigrator(connection: connection).migrate()
    }

    /// Every recorded change of one flight, oldest first.
    public func changes(of flightID: String) throws(StoreError) -> [FlightChange] {
        let rows: [[String?]]
        do {
            rows = try connection.query(
                """
                SELECT seq, to_char(received_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                       to_char(source_time AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                       feed, field, old_value::text, new_value::text
                  FROM flightedge.flight_changes
                 WHERE flight_id = $1
                 ORDER BY seq, field
                """, [.text(flightID)]
            ).rows
        } catch {
            throw StoreError.wrapping(error, while: "cannot read the history of \(flightID)")
        }
        return rows.map { row in
            FlightChange(
                seq: row[0].flatMap { Int64($0) } ?? 0, receivedAt: row[1] ?? "", sourceTime: row[2],
                feed: row[3] ?? "", field: row[4] ?? "", oldJSON: row[5], newJSON: row[6])
        }
    }
}
