extension RelaySchema {
    /// Migration 12: a delivery remembers that an attempt of it may have reached the provider
    /// unrecorded (docs/RELAY-DESIGN.md, "Dispatch").
    ///
    /// `lost_since`: set when a claim takes the delivery over from a lease that ran out while
    /// `sending` (its instance died between the provider's answer and the commit): when that lease
    /// began. From then on every attempt of a channel whose provider lists what it took (Twilio)
    /// looks there first, even after a failed lookup or a retry, so the lost message is found
    /// however late. Not indexed: the lease and the outcome stay heap-only updates.
    static let lostAttempts = """
        ALTER TABLE relay.deliveries ADD COLUMN lost_since timestamptz;
        """
}
