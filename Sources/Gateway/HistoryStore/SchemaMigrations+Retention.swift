extension SchemaMigrations {
    /// `[housekeeping]` retention deletes `flight_changes` and `rejected_frames` by
    /// `received_at`, which no index covered. `flight_changes` gets a BRIN index: rows arrive
    /// in `received_at` order, so a few bytes per 128 pages find the old ones, and the
    /// pipeline's commits do not pay for a B-tree on the busiest table. `rejected_frames`,
    /// written rarely, gets a plain B-tree.
    static let retentionIndexes = """
        CREATE INDEX flight_changes_by_received ON flightedge.flight_changes USING brin (received_at);
        CREATE INDEX rejected_frames_by_received ON flightedge.rejected_frames (received_at);
        """
}
