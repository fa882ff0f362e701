import FlightModel
import Logging
import NIOCore
import NIOPosix
import Postgres
import Synchronization

/// The daemon's PostgreSQL side: one connection, on a thread of its own (libpq blocks), that
/// commits each batch in one transaction (the flights, events and checkpoints in one round trip
/// in libpq's pipeline mode, each table's rows as `unnest` arrays; the history rows by `COPY`),
/// and reads what start-up and the publisher need.
///
/// When PostgreSQL is down, ``commit(_:)`` waits and retries with backoff rather than failing:
/// the pipeline stops taking frames meanwhile, which is the backpressure DESIGN.md §1 asks for.
public actor HistoryWriter {
    private let thread: MultiThreadedEventLoopGroup
    private let executor: any SerialExecutor
    private let connector: DatabaseConnector
    private let logger: Logger
    private var connection: PostgresConnection?
    /// True while a commit waits for PostgreSQL to come back. Readable without waiting for the
    /// writer (which may be blocked in a long commit): the status line and `/healthz` must answer.
    public nonisolated var outage: Bool { state.outage.load(ordering: .relaxed) }
    /// How many times PostgreSQL became unreachable since start.
    public nonisolated var outages: Int { state.outages.load(ordering: .relaxed) }
    private let state = OutageState()

    private final class OutageState: Sendable {
        let outage = Atomic<Bool>(false)
        let outages = Atomic<Int>(0)
    }

    nonisolated public var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    public init(connector: DatabaseConnector, logger: Logger) {
        thread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        executor = thread.next().executor
        self.connector = connector
        self.logger = logger
    }

    deinit {
        thread.shutdownGracefully { _ in }
    }

    /// True while the last statement succeeded on a live connection.
    public var isConnected: Bool { connection?.isConnected ?? false }

    /// Connects (waiting out an outage), becomes the database's one writer, and applies the
    /// schema migrations.
    public func start() async throws -> SchemaMigrator.Outcome {
        let connection = try await connector.connectWithRetry()
        try await claimWriterLock(on: connection)
        self.connection = connection
        return try SchemaMigrator(connection: connection).migrate()
    }

    /// The advisory lock only the writing daemon holds, an arbitrary constant ("FlightWr").
    static let writerLockKey: Int64 = 0x466C_6967_6874_5772

    /// Waits until this connection holds the writer lock. After a crash, the dead process's
    /// backend may still be finishing its last commit: starting before it ends would restore a
    /// state without that batch and apply its frames a second time with other `seq`s. The
    /// backend holds the lock until it exits, so waiting for it is waiting for that commit. A
    /// second daemon configured on the same database waits here too, and says so.
    private func claimWriterLock(on connection: PostgresConnection) async throws {
        var warned = false
        while try connection.query("SELECT pg_try_advisory_lock($1)", [.int(Self.writerLockKey)]).rows.first?.first != "t" {
            if !warned {
                logger.warning(
                    "another FlightEdge process holds this database's writer lock (one that just stopped is finishing, or a second daemon uses the same database); waiting")
                warned = true
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        if warned { logger.notice("writer lock taken; continuing") }
    }

    /// What a commit assigned.
    public struct CommitResult: Sendable {
        /// Outbox row ids in the order of the batch's outbox rows: nil only where the event was
        /// committed and published before (a batch applied again after a crash).
        public var outboxIDs: [Int64?]
    }

    /// Writes the batch in one transaction, retrying on a lost connection until it is in.
    ///
    /// - Throws: the database's error when the batch itself is refused (a data error, not an
    ///   outage), or `CancellationError` when the task is cancelled while waiting.
    public func commit(_ batch: CommitBatch, whileWaiting heartbeat: @Sendable () -> Void = {}) async throws -> CommitResult {
        var attempts = 0
        return try await waitingOutOutages(heartbeat: heartbeat) { connection in
            attempts += 1
            // The history rows go by COPY, which PostgreSQL takes several times faster than an
            // INSERT checking every row for a conflict. Not on a retry: the connection was lost
            // with the outcome unknown, the earlier attempt may have committed them, and only
            // `ON CONFLICT DO NOTHING` takes them a second time.
            let history: HistoryRows = attempts == 1 && batch.changes.count >= Self.copyThreshold ? .copied : .inserted
            var results = try connection.pipeline(Self.statements(for: batch, history: history))
            if history == .copied {
                do {
                    try connection.copyIn(Self.copyChanges, data: Self.copyText(batch.changes))
                    try connection.execute("COMMIT")
                } catch let error as PostgresError where error.sqlState == "23505" {
                    // Rows already in: this very batch committed before and the answer was lost
                    // (or it is replayed). Written again the idempotent way, nothing twice.
                    connection.rollbackOpenTransaction()
                    results = try connection.pipeline(Self.statements(for: batch, history: .inserted))
                } catch {
                    connection.rollbackOpenTransaction()
                    throw error
                }
            }
            var ids = Self.outboxIDs(batch: batch, results: results)
            // An event already in the outbox: an earlier attempt of this very batch committed and
            // its answer was lost with the connection. If the broker never had it, it is still
            // unpublished: hand it over under its existing id.
            let repeated = zip(batch.outbox, ids).compactMap { row, id in id == nil ? row.eventID : nil }
            if !repeated.isEmpty {
                let rows = try connection.query(
                    "SELECT id, event_id FROM flightedge.outbox WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL",
                    [PostgresArray.text(repeated)]
                ).rows
                var unpublished: [String: Int64] = [:]
                for row in rows {
                    if let id = row[0].flatMap({ Int64($0) }), let eventID = row[1] { unpublished[eventID] = id }
                }
                ids = zip(batch.outbox, ids).map { row, id in id ?? row.eventID.flatMap { unpublished[$0.lowercased()] } }
            }
            return CommitResult(outboxIDs: ids)
        }
    }

    /// Runs `body` on a live connection, waiting out an outage: a lost connection is reopened
    /// and `body` retried with backoff (at most 10 s apart, so `heartbeat`, and with it systemd's
    /// watchdog, keeps going). Whichever call notices first, an outage is flagged, counted and
    /// logged once, and its end once: commits, start-up reads and the publisher's bookkeeping
    /// all wait here.
    private func waitingOutOutages<Result: Sendable>(
        heartbeat: @Sendable () -> Void = {}, _ body: (PostgresConnection) throws -> Result
    ) async throws -> Result {
        var backoff = RetryBackoff(initial: .milliseconds(100), maximum: .seconds(10))
        while true {
            try Task.checkCancellation()
            heartbeat()
            do {
                let result = try body(try await liveConnection())
                if state.outage.exchange(false, ordering: .relaxed) {
                    logger.notice("PostgreSQL writes resumed", metadata: ["attempts": "\(backoff.failures + 1)"])
                }
                return result
            } catch let error as PostgresError where error.isConnectionProblem {
                connection = nil
                if !state.outage.exchange(true, ordering: .relaxed) {
                    state.outages.add(1, ordering: .relaxed)
                    logger.error("PostgreSQL down; holding the batch and retrying", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    private func liveConnection() async throws -> PostgresConnection {
        if let connection, connection.isConnected { return connection }
        connection = nil
        // One attempt here: the caller's loop does the backoff (and keeps its heartbeat).
        let fresh = try connector.connect()
        try await claimWriterLock(on: fresh)
        connection = fresh
        return fresh
    }

    /// Marks outbox rows as acknowledged by the broker.
    ///
    /// Without waiting for the WAL flush (`synchronous_commit` off for this transaction only):
    /// a mark lost in a crash only means the event is published once more, which at-least-once
    /// delivery allows, and the flush would cost a disk sync every few milliseconds under load.
    public func markPublished(_ ids: [Int64]) async throws {
        guard !ids.isEmpty else { return }
        let statements: [(sql: String, parameters: [PostgresValue])] = [
            ("BEGIN", []), ("SET LOCAL synchronous_commit TO off", []),
            (
                "UPDATE flightedge.outbox SET published_at = now() WHERE id = ANY($1::bigint[]) AND published_at IS NULL",
                [PostgresArray.integers(ids)]
            ),
            ("COMMIT", []),
        ]
        _ = try await waitingOutOutages { connection in try connection.pipeline(statements) }
    }

    /// Runs one statement, waiting out an outage: a lost connection is reopened and the
    /// statement retried with backoff.
    public func read(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresResult {
        try await waitingOutOutages { connection in try connection.query(sql, parameters) }
    }

    // MARK: - Statements

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
        let rows = results[index].rows
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
