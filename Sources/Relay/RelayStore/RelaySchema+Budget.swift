extension RelaySchema {
    /// Migration 4: the per-recipient rate limit and its digest (docs/RELAY-DESIGN.md, "Rate limit").
    ///
    /// * `recipient_budgets`: one token bucket per contact point (NotificationRules'
    ///   `RecipientBudget` as JSON), locked by the instance that claims that contact's deliveries.
    /// * `deliveries.notification`: the rules' notification a delivery carries, so a digest can be
    ///   rendered from what was held; `held_at`: when it first found the bucket empty (it stays
    ///   `pending`, due when the next token is); `digest_id`: the digest it was folded into, with
    ///   the new state `digested`.
    static let budget = """
        CREATE TABLE relay.recipient_budgets (
            contact_id  bigint PRIMARY KEY REFERENCES relay.contacts (id) ON DELETE CASCADE,
            budget      jsonb NOT NULL,
            updated_at  timestamptz NOT NULL DEFAULT now()
        );

        ALTER TABLE relay.deliveries
            ADD COLUMN notification jsonb,
            ADD COLUMN held_at timestamptz,
            ADD COLUMN digest_id bigint REFERENCES relay.deliveries (id);
        ALTER TABLE relay.deliveries DROP CONSTRAINT deliveries_state_check;
        ALTER TABLE relay.deliveries ADD CONSTRAINT deliveries_state_check CHECK (state IN
            ('pending', 'sending', 'sent', 'delivered', 'failed', 'suppressed', 'dead', 'digested'));
        """
}
