import Postgres

/// One event as the outbox keeps it, to be published again unchanged (a replay).
public struct RetainedEvent: Sendable, Equatable {
    public var outboxID: Int64
    public var streamSeq: Int64
    public var topic: String
    /// The payload exactly as first published, `stream_seq` included.
    public var payload: [UInt8]
    public var qos: Int
    public var retain: Bool
    public var eventID: String?
}

/// What the outbox holds of the airport's event stream.
public struct EventStreamBounds: Sendable, Equatable {
    /// The lowest and highest `stream_seq` still in the outbox; nil when it is empty.
    public var retained: ClosedRange<Int64>?
    /// The last `stream_seq` given to an event (0: none yet).
    public var lastAssigned: Int64

    public init(retained: ClosedRange<Int64>?, lastAssigned: Int64) {
        self.retained = retained
        self.lastAssigned = lastAssigned
    }
}

extension HistoryWriter {
    /// The events numbered `range` that the outbox still holds, above `after`, in `stream_seq`
    /// order, at most `limit`: one page of a replay (the caller passes the last `stream_seq` of
    /// the page before as `after`).
    public func retainedEvents(in range: ClosedRange<Int64>, after: Int64, limit: Int) async throws -> [RetainedEvent] {
        let result = try await read(
            """
            SELECT id, stream_seq, topic, payload, qos, retain, event_id FROM flightedge.outbox
             WHERE stream_seq BETWEEN $1 AND $2 AND stream_seq > $3
             ORDER BY stream_seq LIMIT $4
            """, [.int(range.lowerBound), .int(range.upperBound), .int(after), .int(limit)])
        return result.rows.compactMap { row in
            guard let id = row[0].flatMap({ Int64($0) }), let streamSeq = row[1].flatMap({ Int64($0) }),
                let topic = row[2], let payload = row[3]
            else { return nil }
            return RetainedEvent(
                outboxID: id, streamSeq: streamSeq, topic: topic, payload: Array(payload.utf8),
                qos: Int(row[4] ?? "1") ?? 1, retain: row[5] == "t", eventID: row[6])
        }
    }

    /// The stream's numbers the outbox holds, and the last one given.
    public func eventStreamBounds() async throws -> EventStreamBounds {
        let row = try await read(
            """
            SELECT (SELECT min(stream_seq) FROM flightedge.outbox), (SELECT max(stream_seq) FROM flightedge.outbox),
                   COALESCE((SELECT last_seq FROM flightedge.event_stream), 0)
            """
        ).rows.first
        let low = row?[0].flatMap { Int64($0) }
        let high = row?[1].flatMap { Int64($0) }
        let retained = low.flatMap { low in high.map { low...max(low, $0) } }
        return EventStreamBounds(retained: retained, lastAssigned: row?[2].flatMap { Int64($0) } ?? 0)
    }

    /// Deletes published events whose PUBACK came more than `retentionSeconds` ago, oldest
    /// first, at most `chunk` rows per statement until none is left; returns how many went.
    ///
    /// Rows leave in outbox order: the deletion stops at the first row that must stay (not yet
    /// acknowledged, or acknowledged within the window), so what is retained is always one
    /// unbroken run of `stream_seq` up to the newest event, and each pass reads only the rows it
    /// deletes and one more.
    public func deletePublishedEvents(olderThanSeconds retentionSeconds: Int64, chunk: Int = 10_000) async throws -> Int {
        var deleted = 0
        while true {
            let result = try await read(
                """
                WITH keep AS (
                    SELECT id FROM flightedge.outbox
                     WHERE published_at IS NULL OR published_at >= now() - make_interval(secs => $1)
                     ORDER BY id LIMIT 1
                ), doomed AS (
                    SELECT id FROM flightedge.outbox
                     WHERE id < COALESCE((SELECT id FROM keep), 9223372036854775807)
                     ORDER BY id LIMIT $2
                )
                DELETE FROM flightedge.outbox USING doomed WHERE outbox.id = doomed.id
                """, [.int(retentionSeconds), .int(Int64(chunk))])
            let count = result.affectedRows
            deleted += count
            if count < chunk { return deleted }
        }
    }
}
