import Postgres

/// A table whose old rows `[housekeeping]` retention deletes, by `received_at`.
public enum RetainedTable: String, Sendable, CaseIterable {
    /// The history behind `flightedge history` (`history_retention_days`).
    case flightChanges = "flight_changes"
    /// What feeds sent wrong, with the raw bytes (`rejected_frames_retention_days`).
    case rejectedFrames = "rejected_frames"
}

extension HistoryWriter {
    /// The tables whose on-disk size `/metrics` shows.
    public static let measuredTables = ["flight_changes", "flights", "outbox", "rejected_frames"]

    /// Deletes the rows of `table` received more than `retentionSeconds` ago, at most `chunk`
    /// rows per statement until none is left; returns how many went.
    ///
    /// Each statement is its own short transaction and locks only the rows it deletes, so the
    /// pipeline's commits into `flight_changes` go on between two chunks. The rows are found by
    /// `received_at` through the indexes of migration 4.
    public func deleteExpiredRows(
        of table: RetainedTable, olderThanSeconds retentionSeconds: Int64, chunk: Int = 5_000
    ) async throws -> Int {
        // The table name is one of the enum's constants, never text from outside.
        let sql = """
            DELETE FROM flightedge.\(table.rawValue)
             WHERE ctid = ANY (ARRAY(
                SELECT ctid FROM flightedge.\(table.rawValue)
                 WHERE received_at < now() - make_interval(secs => $1)
                 LIMIT $2))
            """
        var deleted = 0
        while true {
            let count = try await read(sql, [.int(retentionSeconds), .int(Int64(chunk))]).affectedRows
            deleted += count
            if count < chunk { return deleted }
            try Task.checkCancellation()
        }
    }

    /// `pg_total_relation_size` (rows, indexes and TOAST) of each of ``measuredTables``, in
    /// bytes, by table name.
    public func tableSizes() async throws -> [String: Int64] {
        let result = try await read(
            """
            SELECT name, pg_total_relation_size(('flightedge.' || name)::regclass)
              FROM unnest($1::text[]) AS name
            """, [.text("{" + Self.measuredTables.joined(separator: ",") + "}")])
        var sizes: [String: Int64] = [:]
        for row in result.rows {
            if let name = row[0], let bytes = row[1].flatMap({ Int64($0) }) { sizes[name] = bytes }
        }
        return sizes
    }
}
