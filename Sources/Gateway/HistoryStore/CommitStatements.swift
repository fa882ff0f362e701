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
                SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]::date[], $6::text[],
                                     $7::jsonb[], $8::text[], $9::bigint[], $10::timestamptz[], $11::timestamptz[],
                                     $12::timestamptz[])
                ON CONFLICT (flight_id) DO UPDATE
                   SET state = EXCLUDED.state, provenance = EXCLUDED.provenance, seq = EXCLUDED.seq,
                       updated_at = EXCLUDED.updated_at, ends_at = EXCLUDED.ends_at
                 WHERE flights.seq < EXCLUDED.seq
                """,
                // In binary: the state JSON goes as it is, not escaped into an array literal that
                // PostgreSQL then scans byte by byte (docs/PERFORMANCE.md, "binary arrays").
                [
                    PostgresBinaryArray.text(rows.map(\.flightID)), PostgresBinaryArray.text(rows.map(\.airline)),
                    PostgresBinaryArray.text(rows.map(\.number)), PostgresBinaryArray.text(rows.map(\.suffix)),
                    PostgresBinaryArray.text(rows.map(\.date)), PostgresBinaryArray.text(rows.map(\.direction)),
                    PostgresBinaryArray.text(utf8: rows.map(\.stateJSON), as: .jsonb),
                    PostgresBinaryArray.text(utf8: rows.map(\.provenanceJSON)),
                    PostgresBinaryArray.integers(rows.map(\.seq)),
                    PostgresBinaryArray.timestamps(millisecondsSinceEpoch: rows.map { Optional($0.firstSeenAt) }),
                    PostgresBinaryArray.timestamps(millisecondsSinceEpoch: rows.map { Optional($0.updatedAt) }),
                    PostgresBinaryArray.timestamps(millisecondsSinceEpoch: rows.map(\.endsAt)),
                ]
            ))
        }
        if !batch.outbox.isEmpty {
            statements.append(outboxInsert(batch.outbox))
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
                    PostgresBinaryArray.text(rows.map(\.flightID)), PostgresBinaryArray.integers(rows.map(\.seq)),
                    PostgresBinaryArray.text(rows.map(\.field)),
                    PostgresBinaryArray.text(utf8: rows.map { batch.valueJSON($0.oldJSON) }, as: .jsonb),
                    PostgresBinaryArray.text(utf8: rows.map { batch.valueJSON($0.newJSON) }, as: .jsonb),
                    PostgresBinaryArray.text(rows.map(\.feed)),
                    PostgresBinaryArray.timestamps(millisecondsSinceEpoch: rows.map(\.sourceTime)),
                    PostgresBinaryArray.timestamps(millisecondsSinceEpoch: rows.map { Optional($0.receivedAt) }),
                ]
            ))
        }
        statements.append(("COMMIT", []))
        return statements
    }

    /// The outbox rows with their `stream_seq`: numbered in batch order from the airport's
    /// last number on, which moves in the same transaction, so a rolled-back commit leaves no
    /// hole. An event already in the outbox (an earlier attempt of this batch committed and its
    /// answer was lost) is skipped before numbering, not by `ON CONFLICT`, which would have
    /// used up its number. Each payload goes as two parts, the member going between them
    /// (``EventStreamMember``); a payload without the place goes whole (an empty second part),
    /// unchanged.
    static func outboxInsert(_ rows: [CommitBatch.OutboxRow]) -> (sql: String, parameters: [PostgresValue]) {
        var heads: [ArraySlice<UInt8>] = []
        var tails: [ArraySlice<UInt8>] = []
        heads.reserveCapacity(rows.count)
        tails.reserveCapacity(rows.count)
        for row in rows {
            if let (head, tail) = EventStreamMember.split(row.payload) {
                heads.append(head)
                tails.append(tail)
            } else {
                heads.append(row.payload[...])
                tails.append([])
            }
        }
        return (
            """
            WITH input AS (
                SELECT * FROM unnest($1::text[]::uuid[], $2::text[], $3::text[], $4::text[], $5::text[],
                                     $6::smallint[], $7::boolean[])
                       WITH ORDINALITY AS row(event_id, flight_id, topic, head, tail, qos, retain, ordinal)
            ), fresh AS (
                SELECT input.*, row_number() OVER (ORDER BY ordinal) AS n FROM input
                 WHERE NOT EXISTS (SELECT 1 FROM flightedge.outbox o WHERE o.event_id = input.event_id)
                   AND NOT EXISTS (SELECT 1 FROM input earlier
                                    WHERE earlier.event_id = input.event_id AND earlier.ordinal < input.ordinal)
            ), stream AS (
                INSERT INTO flightedge.event_stream AS s (singleton, last_seq) VALUES (true, (SELECT count(*) FROM fresh))
                ON CONFLICT (singleton) DO UPDATE SET last_seq = s.last_seq + EXCLUDED.last_seq
                RETURNING s.last_seq - (SELECT count(*) FROM fresh) AS base
            )
            INSERT INTO flightedge.outbox (event_id, flight_id, topic, payload, qos, retain, stream_seq)
            SELECT event_id, flight_id, topic,
                   CASE WHEN tail = '' THEN head ELSE head || '"stream_seq":' || (base + n) || ',' || tail END,
                   qos, retain, base + n
              FROM fresh CROSS JOIN stream
             ORDER BY ordinal
            RETURNING id, event_id, stream_seq
            """,
            [
                PostgresBinaryArray.text(rows.map(\.eventID)), PostgresBinaryArray.text(rows.map(\.flightID)),
                PostgresBinaryArray.text(rows.map(\.topic)), PostgresBinaryArray.text(utf8: heads),
                PostgresBinaryArray.text(utf8: tails), PostgresBinaryArray.integers(rows.map(\.qos), as: .int2),
                PostgresBinaryArray.booleans(rows.map(\.retain)),
            ]
        )
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
        FROM STDIN (FORMAT binary)
        """

    /// The history rows in COPY's binary format, in ``copyChanges``' column order.
    static func copyData(_ batch: CommitBatch) -> [UInt8] {
        var copy = PostgresCopyBinary(capacity: batch.changes.count * 120 + batch.valueJSON.count)
        batch.valueJSON.withUnsafeBufferPointer { json in
            func value(_ range: Range<Int>?) -> UnsafeBufferPointer<UInt8>? {
                range.map { UnsafeBufferPointer(rebasing: json[$0]) }
            }
            typealias Row = PostgresCopyBinary.Row
            for row in batch.changes {
                let texts = row.flightID.utf8.count + row.field.utf8.count + row.feed.utf8.count
                let values = 1 + (row.oldJSON?.count ?? 0) + 1 + (row.newJSON?.count ?? 0)
                copy.appendRow(fields: 8, maximumBytes: 8 * Row.room(0) + texts + values + 3 * 8) { fields in
                    fields.append(row.flightID)
                    fields.append(row.seq)
                    fields.append(row.field)
                    fields.append(jsonb: value(row.oldJSON))
                    fields.append(jsonb: value(row.newJSON))
                    fields.append(row.feed)
                    fields.append(millisecondsSinceEpoch: row.sourceTime)
                    fields.append(millisecondsSinceEpoch: row.receivedAt)
                }
            }
        }
        return copy.finish()
    }

    private static func jsonArray(_ strings: [String]) -> String {
        var writer = JSONWriter()
        writer.beginArray()
        for string in strings { writer.string(string) }
        writer.endArray()
        return writer.string
    }

    /// Matches `RETURNING id, event_id, stream_seq` back to the batch's outbox rows.
    static func committedOutbox(batch: CommitBatch, results: [PostgresResult]) -> [CommittedOutboxRow?] {
        guard !batch.outbox.isEmpty else { return [] }
        // Results: BEGIN, [flights], outbox, …
        var index = 1
        if !batch.flights.isEmpty { index += 1 }
        return committedOutbox(batch: batch, returned: results[index].rows)
    }

    /// Matches the outbox statement's `RETURNING id, event_id, stream_seq` rows (text, as libpq
    /// gives them) to the batch's outbox rows: by event id, else in order. nil for a row that
    /// was in the outbox already.
    static func committedOutbox(batch: CommitBatch, returned rows: [[String?]]) -> [CommittedOutboxRow?] {
        // `RETURNING` gives the rows in the order they were inserted, which is the batch's less
        // the events already in the outbox: matched walking both, each row checked against its
        // event id, without hashing two strings an event. Rows in any other order are matched
        // by id (below).
        var matched = [CommittedOutboxRow?](repeating: nil, count: batch.outbox.count)
        var next = 0
        walk: for row in rows {
            guard let id = row[0].flatMap({ Int64($0) }), let streamSeq = row[2].flatMap({ Int64($0) }) else { continue }
            while next < batch.outbox.count {
                let index = next
                next += 1
                if sameEvent(batch.outbox[index].eventID, row[1]) {
                    matched[index] = CommittedOutboxRow(outboxID: id, streamSeq: streamSeq)
                    continue walk
                }
            }
            return committedOutboxByEventID(batch: batch, returned: rows)
        }
        return matched
    }

    /// Whether an outbox row's event id (any case) is the one PostgreSQL returned (lower case).
    private static func sameEvent(_ eventID: String?, _ returned: String?) -> Bool {
        eventID.map(lowerCase) == returned
    }

    /// An event id as PostgreSQL returns a uuid: the engine's ids are lower case already, and
    /// `lowercased()` made a copy of each.
    private static func lowerCase(_ eventID: String) -> String {
        eventID.utf8.contains(where: { (0x41...0x5A).contains($0) }) ? eventID.lowercased() : eventID
    }

    /// ``committedOutbox(batch:returned:)`` for rows in any order: by event id, else in order.
    static func committedOutboxByEventID(batch: CommitBatch, returned rows: [[String?]]) -> [CommittedOutboxRow?] {
        var byEventID: [String: CommittedOutboxRow] = [:]
        byEventID.reserveCapacity(rows.count)  // one table, not one per doubling
        var withoutEventID: [CommittedOutboxRow] = []
        for row in rows {
            guard let id = row[0].flatMap({ Int64($0) }), let streamSeq = row[2].flatMap({ Int64($0) }) else { continue }
            let committed = CommittedOutboxRow(outboxID: id, streamSeq: streamSeq)
            if let eventID = row[1] { byEventID[eventID] = committed } else { withoutEventID.append(committed) }
        }
        var nextPlain = 0
        return batch.outbox.map { row in
            if let eventID = row.eventID { return byEventID[lowerCase(eventID)] }
            defer { nextPlain += 1 }
            return nextPlain < withoutEventID.count ? withoutEventID[nextPlain] : nil
        }
    }
}

/// Where a committed event went: its outbox row and its number in the airport's stream.
public struct CommittedOutboxRow: Sendable, Equatable {
    public var outboxID: Int64
    public var streamSeq: Int64

    public init(outboxID: Int64, streamSeq: Int64) {
        self.outboxID = outboxID
        self.streamSeq = streamSeq
    }
}
