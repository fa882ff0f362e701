extension RelaySchema {
    /// Migration 7: the dispatcher's path through PostgreSQL (docs/PERFORMANCE.md, "the relay").
    ///
    /// * The due index leads with the channel: each channel's loop claims its own due rows in due
    ///   order straight from the index. With `(due_at)` alone, a loop walked past every due row of
    ///   the other channels, and a burst of due rows made the planner sort them all on each claim
    ///   (20,000 due: 180–600 ms a claim).
    /// * An outcome (a delivery leaving `sending`) no longer notifies from the trigger: `NOTIFY`
    ///   takes a database-wide lock at commit and holds it through the WAL flush, so every
    ///   outcome commit of every instance took turns. The dispatcher announces the subscriptions
    ///   of each group commit itself, after it, in a short transaction of its own
    ///   (`RelayStore.announceDeliveries`). Everything else that changes a delivery's state
    ///   (intake, unsubscribe, digests, Twilio's `delivered`) still notifies from the trigger.
    static let dispatch = """
        CREATE INDEX deliveries_due_by_channel ON relay.deliveries (channel, due_at)
            WHERE state IN ('pending', 'sending');
        DROP INDEX relay.deliveries_due;

        DROP TRIGGER deliveries_announce_state ON relay.deliveries;
        CREATE TRIGGER deliveries_announce_state AFTER UPDATE OF state ON relay.deliveries
            FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state AND NEW.state <> 'sending' AND OLD.state <> 'sending')
            EXECUTE FUNCTION relay.announce_delivery();
        """
}
