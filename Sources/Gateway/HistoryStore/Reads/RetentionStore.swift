import Logging
import Postgres
import PostgresSupport

/// A table whose old rows `[housekeeping]` retention deletes, by `received_at`.
public enum RetainedTable: String, Sendable, CaseIterable {
    /// The history behind `flightedge history` (`history_retention_days`).
    case flightChanges = "flight_changes"
    /// What feeds sent wrong, with the raw bytes (`rejected_frames_retention_days`).
    case rejectedFrames = "rejected_frames"
}

/// Retention's deletions and the tables' sizes, on a PostgreSQL connection of their own.
///
/// Not on the writer's connection: a round on a year of history runs for seconds (1.2 million
/// rows when a window is first set; a statement that finds its last few rows may scan for
/// seconds), and on the writer's one connection the pipeline committed nothing meanwhile
/// (`flightedge-bench --only year`). Here the deletions lock only the old rows they delete,
/// which no commit touches, and commits go on beside them.
public struct RetentionStore: Sendable {
    /// The tables whose on-disk size `/metrics` shows.
    public static let measuredTables = ["flight_changes", "flights", "outbox", "rejected_frames"]

    private let session: DatabaseSession

    public init(connector: DatabaseConnector, logger: Logger) {
        session = DatabaseSession(connector: connector, logger: logger) { connection in
            try connection.execute("SET application_name = 'flightedge-retention'")
        }
    }

    /// What one call deleted, and the cutoff it deleted before: the next call passes it as
    /// `notBefore`, so that it reads only the rows that expired since.
    public struct Deletion: Sendable, Equatable {
        public var rows: Int
        /// `received_at` of every deleted row was before this (PostgreSQL's text form).
        public var cutoff: String
    }

    /// Deletes the rows of `table` received more than `retentionSeconds` ago, at most `chunk`
    /// rows per statement (each its own short transaction) until none is left.
    ///
    /// - Parameter notBefore: the cutoff of an earlier call on this table: rows before it are
    ///   gone already, and skipping them keeps each statement to the block ranges that expired
    ///   since (the BRIN index of migration 4 keeps the ranges of deleted rows).
    public func deleteExpiredRows(
        of table: RetainedTable, olderThanSeconds retentionSeconds: Int64, notBefore: String? = nil, chunk: Int = 5_000
    ) async throws -> Deletion {
        let cutoff = try await session.perform { connection in
            try connection.query("SELECT now() - make_interval(secs => $1)", [.int(retentionSeconds)]).rows.first?[0] ?? ""
        }
        // The table name is one of the enum's constants, never text from outside.
        let sql = """
            DELETE FROM flightedge.\(table.rawValue)
             WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM flightedge.\(table.rawValue)
                 WHERE received_at < $1::timestamptz AND received_at >= COALESCE($2::timestamptz, '-infinity')
                 LIMIT $3))
            """
        let parameters: [PostgresValue] = [.text(cutoff), notBefore.map { .text($0) } ?? .null, .int(Int64(chunk))]
        var deleted = 0
        while true {
            let count = try await session.perform { connection in try connection.query(sql, parameters).affectedRows }
            deleted += count
            if count < chunk { return Deletion(rows: deleted, cutoff: cutoff) }
            try Task.checkCancellation()
        }
    }

    /// `pg_total_relation_size` (rows, indexes and TOAST) of each of ``measuredTables``, in
    /// bytes, by table name.
    public func tableSizes() async throws -> [String: Int64] {
        let rows = try await session.perform { connection in
            try connection.query(
                """
                SELECT name, pg_total_relation_size(('flightedge.' || name)::regclass)
                  FROM unnest($1::text[]) AS name
                """, [.text("{" + Self.measuredTables.joined(separator: ",") + "}")]
            ).rows
        }
        var sizes: [String: Int64] = [:]
        for row in rows {
            if let name = row[0], let bytes = row[1].flatMap({ Int64($0) }) { sizes[name] = bytes }
        }
        return sizes
    }
}
