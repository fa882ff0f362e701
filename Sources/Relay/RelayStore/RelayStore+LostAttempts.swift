import Channels
import Postgres

extension RelayStore {
    /// Records the taken-over `delivery` as sent with the first of `candidates` that no delivery
    /// records yet, and returns it; nil when every candidate is already another delivery's (then
    /// the lost attempt never reached the provider, and the caller sends).
    ///
    /// `candidates`: the provider's ids of messages with exactly this delivery's content to its
    /// contact point, made while the lost lease lasted (a provider that lists what it took:
    /// Twilio), oldest first. A message with the same words to the same person that no delivery
    /// claims is the lost attempt, or one the passenger cannot tell from it. The oldest is taken:
    /// a later one may belong to a later delivery of the same words, whose window need not reach
    /// back to this one's message.
    ///
    /// One transaction, under an advisory lock per contact point: two instances reconciling the
    /// same words to one person at once never take the same message. The queue row goes with it,
    /// as in a group commit of `sent`.
    public func adoptLostAttempt(_ delivery: ClaimedDelivery, candidates: [String], instance: String) async throws -> String? {
        guard !candidates.isEmpty else { return nil }
        let channel = delivery.contact.point.channel
        // SMS ids are indexed (`sms_provider_id`, migration 11); another channel's are not.
        let known =
            channel == .sms
            ? "o.sms_provider_id = u.id"
            : "o.provider_id = u.id AND o.channel = '\(channel.rawValue)'"
        return try await run("cannot record delivery \(delivery.id)'s lost attempt") { connection in
            let results = try connection.pipeline([
                ("BEGIN", []),
                (
                    "SELECT pg_advisory_xact_lock(hashtextextended('relay.lost_attempts:' || $1, 0))",
                    [.int(delivery.contact.id)]
                ),
                (
                    """
                    WITH free AS (
                        SELECT u.id FROM unnest($3::text[]) WITH ORDINALITY AS u (id, n)
                        WHERE NOT EXISTS (SELECT 1 FROM relay.deliveries o WHERE \(known))
                        ORDER BY u.n LIMIT 1
                    ), sent AS (
                        UPDATE relay.deliveries d SET state = 'sent', sent_at = now(), provider_id = free.id,
                            lease_until = NULL, last_error = NULL
                        FROM free WHERE d.id = $1 AND d.state = 'sending' AND d.leased_by = $2
                        RETURNING d.id, d.provider_id
                    ), dequeued AS (
                        DELETE FROM relay.due_deliveries q USING sent WHERE q.delivery_id = sent.id
                    )
                    SELECT provider_id FROM sent
                    """,
                    [.int(delivery.id), .text(instance), PostgresArray.text(candidates)]
                ),
                ("COMMIT", []),
            ])
            return results[2].rows.first?.first.flatMap { $0 }
        }
    }
}
