extension RelaySchema {
    /// Migration 8: the claim's lease (`pending` → `sending`, attempts, `leased_by`, `lease_until`)
    /// is a heap-only (HOT) update: a new row version on the same page and no index entry
    /// (docs/PERFORMANCE.md, issue #12).
    ///
    /// PostgreSQL counts the columns of a partial index's predicate as indexed, and the two
    /// partial indexes named `state`, so every change of state wrote a new 1.4–1.8 kB row version
    /// and an entry in each of the four indexes. Now:
    /// * `open` is `state IN ('pending', 'sending')`, stored and kept by PostgreSQL. The lease
    ///   leaves it `true`; only the outcome (and the other ways out of pending) change it.
    /// * The due index and the withdrawal index are partial on `open`, so no index names `state`.
    ///   The withdrawal index now holds sending rows too (a few, while their lease runs); its
    ///   queries keep `state = 'pending'` as a filter. Queries name `open` themselves: the planner
    ///   cannot prove it from `state`.
    /// * `fillfactor = 50` leaves half of each page free: the lease's versions of the rows
    ///   inserted together (and claimed together) find room beside them. At 60, 75 % of the
    ///   leases of the benchmark's 1.4 kB rows were HOT; at 50 all of them.
    ///
    /// Adding a stored generated column rewrites the table once (under an exclusive lock:
    /// about a second per 40,000 deliveries on the benchmark machine); the rewrite also
    /// applies the fillfactor to the rows already there.
    static let lease = """
        ALTER TABLE relay.deliveries
            SET (fillfactor = 50),
            ADD COLUMN open boolean NOT NULL GENERATED ALWAYS AS (state IN ('pending', 'sending')) STORED;

        CREATE INDEX deliveries_open_by_channel ON relay.deliveries (channel, due_at) WHERE open;
        CREATE INDEX deliveries_open_by_notification ON relay.deliveries (subscription_id, notification_id) WHERE open;
        DROP INDEX relay.deliveries_due_by_channel;
        DROP INDEX relay.deliveries_pending_by_notification;
        """
}
