import HistoryStore
import Publisher

/// The publisher reads the outbox backlog through the writer's connection thread; marking
/// rows published is the writer's own `markPublished(_:)`.
extension HistoryWriter: OutboxStore {
    public func unpublished(after id: Int64, limit: Int) async throws -> [OutgoingMessage] {
        try await unpublishedEvents(after: id, limit: limit).map { row in
            OutgoingMessage(
                outboxID: row.outboxID, topic: row.topic, payload: row.payload, qos: row.qos, retain: row.retain,
                eventID: row.eventID, schema: row.eventID == nil ? nil : "flightedge.event/1")
        }
    }
}
