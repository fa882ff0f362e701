import Postgres

/// One outbox row not yet acknowledged by the broker.
public struct UnpublishedEvent: Sendable, Equatable {
    public var outboxID: Int64
    public var topic: String
    public var payload: [UInt8]
    public var qos: Int
    public var retain: Bool
    public var eventID: String?
}

/// How much of the outbox waits for the broker.
public struct OutboxBacklog: Sendable, Equatable {
    public var rows: Int64
    /// Age of the oldest unpublished row; 0 when none waits.
    public var oldestAgeSeconds: Double
}

extension HistoryWriter {
    /// Unpublished outbox rows after `id`, oldest first: the publisher's backlog after a
    /// restart or an outage.
    public func unpublishedEvents(after id: Int64, limit: Int) async throws -> [UnpublishedEvent] {
        let result = try await read(
            """
            SELECT id, topic, payload, qos, retain, event_id FROM flightedge.outbox
             WHERE published_at IS NULL AND id > $1 ORDER BY id LIMIT $2
            """, [.int(id), .int(limit)])
        return result.rows.compactMap { row in
            guard let idText = row[0], let id = Int64(idText), let topic = row[1], let payload = row[2] else { return nil }
            return UnpublishedEvent(
                outboxID: id, topic: topic, payload: Array(payload.utf8), qos: Int(row[3] ?? "1") ?? 1,
                retain: row[4] == "t", eventID: row[5])
        }
    }

    /// Unpublished outbox rows and the age of the oldest, for `/healthz` and `/metrics`.
    public func outboxBacklog() async throws -> OutboxBacklog {
        let row = try await read(
            """
            SELECT count(*), COALESCE(extract(epoch FROM now() - min(created_at)), 0)
            FROM flightedge.outbox WHERE published_at IS NULL
            """
        ).rows.first
        return OutboxBacklog(
            rows: row?[0].flatMap { Int64($0) } ?? 0, oldestAgeSeconds: row?[1].flatMap { Double($0) } ?? 0)
    }
}
