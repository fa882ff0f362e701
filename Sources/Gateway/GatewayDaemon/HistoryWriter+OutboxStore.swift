import HistoryStore
import Postgres
import Publisher

/// The publisher reads the outbox backlog and marks rows published through the writer's
/// connection thread.
extension HistoryWriter: OutboxStore {
    public func unpublished(after id: Int64, limit: Int) async throws -> [OutgoingMessage] {
        let result = try await read(
            """
            SELECT id, topic, payload, qos, retain, event_id FROM flightedge.outbox
             WHERE published_at IS NULL AND id > $1 ORDER BY id LIMIT $2
            """, [.int(id), .int(limit)])
        return result.rows.compactMap { row in
            guard let idText = row[0], let id = Int64(idText), let topic = row[1], let payload = row[2] else { return nil }
            return OutgoingMessage(
                outboxID: id, topic: topic, payload: Array(payload.utf8), qos: Int(row[3] ?? "1") ?? 1,
                retain: row[4] == "t", eventID: row[5], schema: row[5] == nil ? nil : "flightedge.event/1")
        }
    }
}
