extension RelaySchema {
    /// Migration 9: new deliveries are announced to the passenger pages once per statement, not
    /// once per row (docs/PERFORMANCE.md, issue #12).
    ///
    /// An event for a flight with many subscribers inserts a delivery per subscription and
    /// channel in one statement; the row trigger called PL/pgSQL and `pg_notify` for each, and
    /// every instance's listener read a notification per delivery. Now the statement's new rows
    /// (a transition table) become `subscriptions {id} {id} …` notifications of at most 200
    /// subscriptions each (a payload holds 8,000 bytes; a subscription id is 36), the form the
    /// dispatcher's announcements take too (``PassengerChange/changes(payload:)`` reads both).
    ///
    /// The trigger on a change of state stays per row: a transition table on `UPDATE` would
    /// collect every row of the claim's and the outcome's updates, the hot path, to announce none.
    static let announce = """
        CREATE FUNCTION relay.announce_new_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('relay_passenger', 'subscriptions ' || string_agg(s, ' '))
            FROM (SELECT s, (row_number() OVER (ORDER BY s) - 1) / 200 AS chunk
                  FROM (SELECT DISTINCT subscription_id::text AS s FROM added) d) c
            GROUP BY chunk;
            RETURN NULL;
        END $$;
        DROP TRIGGER deliveries_announce_new ON relay.deliveries;
        CREATE TRIGGER deliveries_announce_new AFTER INSERT ON relay.deliveries
            REFERENCING NEW TABLE AS added
            FOR EACH STATEMENT EXECUTE FUNCTION relay.announce_new_deliveries();
        """
}
