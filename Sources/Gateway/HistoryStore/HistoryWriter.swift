import FlightModel
import Logging
import NIOCore
import NIOPosix
import Postgres
import PostgresSupport
import Synchronization
import Timing

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

    /// The writer's own thread. A task that runs its code between commits there (the pipeline's
    /// commit, which then hands the result on) needs no other thread to wake when one ends.
    public nonisolated let eventLoop: any EventLoop

    nonisolated public var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    public init(connector: DatabaseConnector, logger: Logger) {
        thread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        eventLoop = thread.next()
        executor = eventLoop.executor
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
        /// In the order of the batch's outbox rows, each row's id and `stream_seq`: nil only
        /// where the event was committed and published before (a batch applied again after a
        /// crash).
        public var outbox: [CommittedOutboxRow?]
        /// By index into the batch's outbox rows: the payload as an earlier attempt of this very
        /// batch stored it (its answer was lost with the connection), still unpublished.
        public var storedPayloads: [Int: [UInt8]] = [:]
        /// Monotonic nanoseconds when the writer took the batch up (it may have been busy with
        /// a read or an outbox mark before): the slow-update trace tells the two waits apart.
        public var startedAtNanoseconds: UInt64 = 0

        /// Outbox row ids in the order of the batch's outbox rows (nil as in ``outbox``).
        public var outboxIDs: [Int64?] { outbox.map { $0?.outboxID } }

        /// The bytes to publish for the batch's outbox row `index`, rendered as `rendered`: what
        /// the outbox holds, `stream_seq` included, so that a replay sends the same bytes.
        public func payload(at index: Int, rendered: [UInt8]) -> [UInt8] {
            if let stored = storedPayloads[index] { return stored }
            guard index < outbox.count, let row = outbox[index] else { return rendered }
            return EventStreamMember.payload(rendered, streamSeq: row.streamSeq)
        }
    }

    /// Writes the batch in one transaction, retrying on a lost connection until it is in.
    ///
    /// - Throws: ``StoreError`` with code `batchRefused` when the batch itself is refused (a
    ///   data error, not an outage), or `CancellationError` when the task is cancelled while
    ///   waiting.
    public func commit(_ batch: CommitBatch, whileWaiting heartbeat: @Sendable () -> Void = {}) async throws -> CommitResult {
        let started = monotonicNanoseconds()
        do {
            var result = try await commitWaitingOutOutages(batch, heartbeat: heartbeat)
            result.startedAtNanoseconds = started
            return result
        } catch let error as PostgresError {
            throw StoreError(.batchRefused, "PostgreSQL refused the batch", cause: error)
        }
    }

    private func commitWaitingOutOutages(_ batch: CommitBatch, heartbeat: @Sendable () -> Void) async throws -> CommitResult {
        var attempts = 0
        return try await waitingOutOutages(heartbeat: heartbeat) { connection in
            attempts += 1
            // The history rows go by COPY, which PostgreSQL takes several times faster than an
            // INSERT checking every row for a conflict. Not on a retry: the connection was lost
            // with the outcome unknown, the earlier attempt may have committed them, and only
            // `ON CONFLICT DO NOTHING` takes them a second time.
            let history: CommitStatements.HistoryRows = attempts == 1 && batch.changes.count >= CommitStatements.copyThreshold ? .copied : .inserted
            // Prepared: the same few statement texts every batch (parsed once per connection).
            var results = try connection.pipeline(CommitStatements.statements(for: batch, history: history), prepared: true)
            if history == .copied {
                do {
                    try connection.copyIn(CommitStatements.copyChanges, data: CommitStatements.copyData(batch))
                    try connection.execute("COMMIT")
                } catch let error as PostgresError where error.sqlState == "23505" {
                    // Rows already in: this very batch committed before and the answer was lost
                    // (or it is replayed). Written again the idempotent way, nothing twice.
                    connection.rollbackOpenTransaction()
                    results = try connection.pipeline(CommitStatements.statements(for: batch, history: .inserted), prepared: true)
                } catch {
                    connection.rollbackOpenTransaction()
                    throw error
                }
            }
            var committed = CommitStatements.committedOutbox(batch: batch, results: results)
            var storedPayloads: [Int: [UInt8]] = [:]
            // An event already in the outbox: an earlier attempt of this very batch committed and
            // its answer was lost with the connection. If the broker never had it, it is still
            // unpublished: hand it over under its existing id, number and bytes.
            let repeated = zip(batch.outbox, committed).compactMap { row, done in done == nil ? row.eventID : nil }
            if !repeated.isEmpty {
                let rows = try connection.query(
                    """
                    SELECT id, event_id, stream_seq, payload FROM flightedge.outbox
                     WHERE event_id = ANY($1::uuid[]) AND published_at IS NULL
                    """,
                    [PostgresArray.text(repeated)]
                ).rows
                var unpublished: [String: (CommittedOutboxRow, [UInt8])] = [:]
                for row in rows {
                    if let id = row[0].flatMap({ Int64($0) }), let eventID = row[1],
                        let streamSeq = row[2].flatMap({ Int64($0) }), let payload = row[3]
                    {
                        unpublished[eventID] = (CommittedOutboxRow(outboxID: id, streamSeq: streamSeq), Array(payload.utf8))
                    }
                }
                for (index, row) in batch.outbox.enumerated() where committed[index] == nil {
                    guard let eventID = row.eventID, let (stored, payload) = unpublished[eventID.lowercased()] else { continue }
                    committed[index] = stored
                    storedPayloads[index] = payload
                }
            }
            return CommitResult(outbox: committed, storedPayloads: storedPayloads)
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
        var preparedAgain = false
        while true {
            try Task.checkCancellation()
            heartbeat()
            do {
                let result: Result
                do {
                    result = try body(try await liveConnection())
                } catch let error as PostgresError where error.isStalePreparedStatement && !preparedAgain {
                    // The server dropped this connection's statements or a migration changed a
                    // table under them: the connection prepares them again, once, at once (not
                    // a refused batch to be split frame by frame).
                    logger.notice("PostgreSQL forgot a prepared statement; preparing again", metadata: ["error": "\(error)"])
                    preparedAgain = true
                    continue
                }
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
        do {
            _ = try await waitingOutOutages { connection in try connection.pipeline(statements, prepared: true) }
        } catch let error as PostgresError {
            throw StoreError.wrapping(error, while: "cannot mark outbox rows published")
        }
    }

    /// Runs one of the store's own statements, waiting out an outage: a lost connection is
    /// reopened and the statement retried with backoff. Not public: only the store speaks SQL.
    func read(_ sql: String, _ parameters: [PostgresValue] = []) async throws -> PostgresResult {
        do {
            return try await waitingOutOutages { connection in try connection.query(sql, parameters) }
        } catch let error as PostgresError {
            throw StoreError.wrapping(error, while: "cannot read from PostgreSQL")
        }
    }
}
