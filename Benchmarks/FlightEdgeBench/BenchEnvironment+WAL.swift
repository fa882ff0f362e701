import Postgres

extension BenchEnvironment {
    /// Leaves `segments` write-ahead log segments ready for reuse, as on a PostgreSQL that has
    /// run for a while; returns how many segment files `pg_wal` then holds.
    ///
    /// Why: a freshly initialised cluster has no segment to recycle, so every 16 MB of WAL it
    /// creates a new file and fills it with zeros (`wal_init_zero`) before the commit that
    /// crossed into it can flush: at 1,000 updates/s that was a 15–18 ms commit every 19 s,
    /// matched in the slow-update trace against the segments' modification times
    /// (docs/PERFORMANCE.md, "the tail, third round"). A server that has been up recycles the
    /// segments its checkpoints no longer need instead (renamed ahead, not written again).
    /// Here: one small write and a segment switch per segment, then a checkpoint, which
    /// recycles them all (its estimate of the WAL between checkpoints is now that large).
    func recycleWAL(segments: Int) throws -> Int {
        let admin = try PostgresConnection(conninfo: adminURL, applicationName: "flightedge-bench wal")
        // First what a run before left (a 10,000-flight day's dirty buffers): without this
        // checkpoint the 10,000/s run right after such a day had p99 8.7–11.0 ms, with it
        // 5.9–7.4 ms (docs/PERFORMANCE.md, "fourth round").
        try admin.execute("CHECKPOINT")
        try admin.execute("CREATE TABLE IF NOT EXISTS flightedge_bench_wal (at timestamptz)")
        for _ in 0..<segments {
            try admin.execute("INSERT INTO flightedge_bench_wal VALUES (now()); SELECT pg_switch_wal()")
        }
        try admin.execute("DROP TABLE flightedge_bench_wal; CHECKPOINT")
        let files = try admin.query("SELECT count(*) FROM pg_ls_waldir() WHERE name ~ '^[0-9A-F]{24}$'")
        return files.rows.first?.first.flatMap { $0.flatMap { Int($0) } } ?? 0
    }
}
