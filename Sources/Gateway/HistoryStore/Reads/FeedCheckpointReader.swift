import Postgres

/// One feed's committed position as `flightedge poll-once` needs it: one short-lived
/// connection, one `SELECT`, nothing written and no lock taken (the daemon may be running).
public enum FeedCheckpointReader {
    /// The `file_name` of `feed`'s row in `feed_checkpoints` (for a `sql-poll` feed the cursor
    /// value a restart resumes from), or nil when the feed has committed nothing yet.
    ///
    /// - Throws: ``StoreError``: `unreachable` when PostgreSQL cannot be reached, else
    ///   `queryFailed` (e.g. the schema is not migrated yet).
    public static func resumeValue(of feed: String, conninfo: String, password: String?) throws(StoreError) -> String? {
        do {
            let connection = try PostgresConnection(conninfo: conninfo, password: password)
            let rows = try connection.query(
                "SELECT file_name FROM flightedge.feed_checkpoints WHERE feed = $1", [.text(feed)]
            ).rows
            return rows.first?[0] ?? nil
        } catch {
            throw StoreError.wrapping(error, while: "cannot read the checkpoint of feed \(feed)")
        }
    }
}
