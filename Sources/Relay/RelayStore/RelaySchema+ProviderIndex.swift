extension RelaySchema {
    /// Migration 10: provider ids are indexed for SMS only (docs/PERFORMANCE.md, issue #12).
    ///
    /// The index serves one query: Twilio's status callback finds its delivery by message SID
    /// (`RelayStore.markDelivered`). E-mail, FCM and Web Push record a provider id too (the queue
    /// id, the message name), which nothing looks up; each of their outcomes inserted an entry in
    /// this index all the same: a tenth of the outcome `UPDATE`'s time in the benchmark.
    static let providerIndex = """
        CREATE INDEX deliveries_sms_by_provider_id ON relay.deliveries (provider_id)
            WHERE provider_id IS NOT NULL AND channel = 'sms';
        DROP INDEX relay.deliveries_by_provider_id;
        """
}
