import Logging
import NIOCore
import NIOPosix
import Postgres
import Synchronization
import Timing

/// One PostgreSQL connection on a thread of its own (libpq blocks), for one job of a daemon
/// (the relay's intake, its dispatcher, its HTTP API each have one), that waits out an outage:
/// a lost connection is reopened and the work retried with backoff, the outage logged once and
/// its end once. Work that fails for any other reason (a refused statement) is thrown at once.
public actor DatabaseSession {
    private let thread: MultiThreadedEventLoopGroup
    private let executor: any SerialExecutor
    private let connector: DatabaseConnector
    private let logger: Logger
    /// Run on each fresh connection before it is used (e.g. `SET application_name`).
    private let prepare: @Sendable (PostgresConnection) throws -> Void
    private var connection: PostgresConnection?
    private let flags = Flags()

    private final class Flags: Sendable {
        let outage = Atomic<Bool>(false)
        let outages = Atomic<Int>(0)
    }

    nonisolated public var unownedExecutor: UnownedSerialExecutor {
        executor.asUnownedSerialExecutor()
    }

    /// True while work waits for PostgreSQL to come back; readable without waiting for the session.
    public nonisolated var outage: Bool { flags.outage.load(ordering: .relaxed) }
    /// How many times PostgreSQL became unreachable since start.
    public nonisolated var outages: Int { flags.outages.load(ordering: .relaxed) }

    public init(
        connector: DatabaseConnector, logger: Logger,
        prepare: @escaping @Sendable (PostgresConnection) throws -> Void = { _ in }
    ) {
        thread = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        executor = thread.next().executor
        self.connector = connector
        self.logger = logger
        self.prepare = prepare
    }

    deinit {
        thread.shutdownGracefully { _ in }
    }

    /// Runs `body` on a live connection, waiting out an outage until it succeeds, fails for a
    /// reason other than the connection, or the task is cancelled. `body` may run more than once
    /// (after a connection was lost mid-way, with the outcome unknown): make it idempotent.
    public func perform<Result: Sendable>(_ body: @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        var backoff = RetryBackoff(initial: .milliseconds(100), maximum: .seconds(10))
        while true {
            try Task.checkCancellation()
            do {
                let result = try body(try liveConnection())
                if flags.outage.exchange(false, ordering: .relaxed) {
                    logger.notice("PostgreSQL reachable again", metadata: ["attempts": "\(backoff.failures + 1)"])
                }
                return result
            } catch let error as PostgresError where error.isConnectionProblem {
                connection = nil
                if !flags.outage.exchange(true, ordering: .relaxed) {
                    flags.outages.add(1, ordering: .relaxed)
                    logger.error("PostgreSQL unreachable; waiting and retrying", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: backoff.nextDelay())
            }
        }
    }

    /// Runs `body` inside `BEGIN … COMMIT`, rolled back when it throws; retried as a whole
    /// after a lost connection.
    public func transaction<Result: Sendable>(_ body: @Sendable (PostgresConnection) throws -> Result) async throws -> Result {
        try await perform { connection in
            try connection.execute("BEGIN")
            do {
                let result = try body(connection)
                try connection.execute("COMMIT")
                return result
            } catch {
                connection.rollbackOpenTransaction()
                throw error
            }
        }
    }

    private func liveConnection() throws -> PostgresConnection {
        if let connection, connection.isConnected { return connection }
        connection = nil
        let fresh = try connector.connect()
        try prepare(fresh)
        connection = fresh
        return fresh
    }
}
