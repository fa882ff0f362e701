import FlightModel
import JSON
import Postgres

/// The SQL of one batch's commit, built without a server: the statements of the transaction,
/// the history rows in COPY's text format, and how the outbox ids come back.
enum CommitStatements {
    /// The transaction for `batch`, from `BEGIN` to `COMMIT` (without `COMMIT` when the history
    /// rows follow by COPY).
    static func statements(for batch: CommitBatch, history: HistoryRows = .inserted) -> [(sql: String, parameters: [PostgresValue])] {
        var statements: [(sql: String, parameters: [PostgresValue])] = [("BEGIN", [])]
        if !batch.flights.isEmpty {
            let rows = batch.flights
            statements.append((
                """
                INSERT INTO flightedge.flights (flight_id, airline, number, suffix, flight_date, direction, state,
                                                provenance, seq, first_seen_at, updated_at, ends_at)
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::date[], $6::text[],
                                     $7::jsonb[], $8::text[], $9::bigint[], $10::timestamptz[], $11::timestamptz[],
                                     $12::timestamptz[])
                ON CONFLICT (flight_id) DO UPDATE
                   SET state = EXCLUDED.state, provenance = EXCLUDED.provenance, seq = EXCLUDED.seq,
                       updated_at = EXCLUDED.updated_at, ends_at = EXCLUDED.ends_at
                 WHERE flights.seq < EXCLUDED.seq
                """,
                [
                    PostgresArray.text(rows.map(\.flightID)), PostgresArray.text(rows.map(\.airline)),
                    PostgresArray.text(rows.map(\.number)), PostgresArray.text(rows.map(\.suffix)),
                    PostgresArray.text(rows.map(\.date)), PostgresArray.text(rows.map(\.direction)),
                    PostgresArray.text(utf8: rows.map(\.stateJSON)), PostgresArray.text(utf8: rows.map(\.provenanceJSON)),
                    PostgresArray.integers(rows.map(\.seq)), PostgresArray.text(rows.map(\.firstSeenAt)),
                    PostgresArray.text(rows.map(\.updatedAt)), PostgresArray.text(rows.map(\.endsAt)),
                ]
            ))
        }
        if !batch.outbox.isEmpty {
            let rows = batch.outbox
            statements.append((
                """
                INSERT INTO flightedge.outbox (event_id, flight_id, topic, payload, qos, retain)
                SELECT event_id, flight_id, topic, payload, qos, retain
                  FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::boolean[])
                       WITH ORDINALITY AS row(event_id, flight_id, topic, payload, qos, retain, ordinal)
                 ORDER BY ordinal
                ON CONFLICT (event_id) WHERE event_id IS NOT NULL DO NOTHING
                RETURNING id, event_id
                """,
                [
                    PostgresArray.text(rows.map(\.eventID)), PostgresArray.text(rows.map(\.flightID)),
                    PostgresArray.text(rows.map(\.topic)), PostgresArray.text(utf8: rows.map(\.payload)),
                    PostgresArray.integers(rows.map(\.qos)), PostgresArray.booleans(rows.map(\.retain)),
                ]
            ))
        }
        if !batch.rejected.isEmpty {
            let rows = batch.rejected
            statements.append((
                """
                INSERT INTO flightedge.rejected_frames (feed, position, received_at, error, raw)
                SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::bytea[])
                """,
                [
                    PostgresArray.text(rows.map(\.feed)), PostgresArray.text(rows.map(\.position)),
                    PostgresArray.text(rows.map(\.receivedAt)), PostgresArray.text(rows.map(\.error)),
                    PostgresArray.bytea(rows.map(\.raw)),
                ]
            ))
        }
        for checkpoint in batch.checkpoints {
            statements.append((
                """
                INSERT INTO flightedge.feed_checkpoints (feed, file_name, file_inode, "offset", sequence, recent_files, updated_at)
                VALUES ($1, $2, $3, $4, $5, $6::jsonb, now())
                ON CONFLICT (feed) DO UPDATE
                   SET file_name = EXCLUDED.file_name, file_inode = EXCLUDED.file_inode, "offset" = EXCLUDED."offset",
                       sequence = EXCLUDED.sequence, recent_files = EXCLUDED.recent_files, updated_at = now()
                """,
                [
                    .text(checkpoint.feed), .optional(checkpoint.fileName), .optional(checkpoint.fileInode.map(String.init)),
                    .int(checkpoint.offset), .optional(checkpoint.sequence.map(String.init)),
                    .text(jsonArray(checkpoint.recentFiles)),
                ]
            ))
        }
        guard history == .inserted else { return statements }
        if !batch.changes.isEmpty {
            let rows = batch.changes
            statements.append((
                """
                INSERT INTO flightedge.flight_changes (flight_id, seq, field, old_value, new_value, feed, source_time,
                                                       received_at)
                SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::jsonb[], $5::jsonb[], $6::text[],
                                     $7::timestamptz[], $8::timestamptz[])
                ON CONFLICT DO NOTHING
                """,
                [
                    PostgresArray.text(rows.map(\.flightID)), PostgresArray.integers(rows.map(\.seq)),
                    PostgresArray.text(rows.map(\.field)), PostgresArray.text(rows.map(\.oldJSON)),
                    PostgresArray.text(rows.map(\.newJSON)), PostgresArray.text(rows.map(\.feed)),
                    PostgresArray.text(rows.map(\.sourceTime)), PostgresArray.text(rows.map(\.receivedAt)),
                ]
            ))
        }
        statements.append(("COMMIT", []))
        return statements
    }

    /// How a commit writes its history rows.
    enum HistoryRows {
        /// In the pipeline, `INSERT … ON CONFLICT DO NOTHING`, then `COMMIT`.
        case inserted
        /// By ``copyChanges`` after the pipeline, which leaves the transaction open for it.
        case copied
    }

    /// History rows from which COPY pays for its two extra round trips.
    static let copyThreshold = 200

    static let copyChanges = """
        COPY flightedge.flight_changes (flight_id, seq, field, old_value, new_value, feed, source_time, received_at)
        FROM STDIN
        """

    /// The history rows in COPY's text format, in ``copyChanges``' column order.
    static func copyText(_ rows: [CommitBatch.ChangeRow]) -> [UInt8] {
        var text = PostgresCopyText(capacity: rows.count * 120)
        for row in rows {
            text.append(row.flightID)
            text.append(row.seq)
            text.append(row.field)
            text.append(row.oldJSON)
            text.append(row.newJSON)
            text.append(row.feed)
            text.append(row.sourceTime)
            text.append(row.receivedAt)
            text.endRow()
        }
        return text.bytes
    }

    private static func jsonArray(_ strings: [String]) -> String {
        var writer = JSONWriter()
        writer.beginArray()
        for string in strings { writer.string(string) }
        writer.endArray()
        return writer.string
    }

    /// Matches `RETURNING id, event_id` back to the batch's outbox rows.
    static func outboxIDs(batch: CommitBatch, results: [PostgresResult]) -> [Int64?] {
        guard !batch.outbox.isEmpty else { return [] }
        // Results: BEGIN, [flights], outbox, …
        var index = 1
        if !batch.flights.isEmpty { index += 1 }
        return outboxIDs(batch: batch, returned: results[index].rows)
    }

    /// Matches the outbox statement's `RETURNING id, event_id` rows (text, as libpq gives them)
    /// to the batch's outbox rows: by event id, else in order.
    static func outboxIDs(batch: CommitBatch, returned rows: [[String?]]) -> [Int64?] {
        var byEventID: [String: Int64] = [:]
        var withoutEventID: [Int64] = []
        for row in rows {
            guard let id = row[0].flatMap({ Int64($0) }) else { continue }
            if let eventID = row[1] { byEventID[eventID] = id } else { withoutEventID.append(id) }
        }
        var nextPlain = 0
        return batch.outbox.map { row in
            if let eventID = row.eventID { return byEventID[eventID.lowercased()] }
            defer { nextPlain += 1 }
            return nextPlain < withoutEventID.count ? withoutEventID[nextPlain] : nil
        }
    }
}
