import Logging
import Postgres
import PostgresSupport

/// The relay's PostgreSQL side (schema `relay`): the only code of the relay that speaks SQL.
///
/// Each job of the relay opens its own store (its own connection on its own thread): the intake
/// records events and plans deliveries, the dispatcher claims and completes deliveries, the HTTP
/// API reads and writes subscriptions. Every method waits out an outage of PostgreSQL and throws
/// ``RelayStoreError`` for anything else.
public struct RelayStore: Sendable {
    let session: DatabaseSession
    private let connector: DatabaseConnector
    private let logger: Logger

    /// A store on a connection of its own; nothing is opened before the first call.
    public init(connector: DatabaseConnector, logger: Logger, role: String) {
        self.connector = connector
        self.logger = logger
        session = DatabaseSession(connector: connector, logger: logger) { connection in
            _ = try connection.execute("SET application_name = 'flightedge-relay \(role)'")
        }
    }

    /// Another store on the same database, on a connection of its own (for a job that must not
    /// wait behind this store's calls).
    public func sibling(role: String) -> RelayStore {
        RelayStore(connector: connector, logger: logger, role: role)
    }

    /// True while a call waits for PostgreSQL to come back.
    public var outage: Bool { session.outage }

    /// Applies the relay's schema migrations (`flightedge-relay migrate`, and at start).
    public func migrate() async throws -> SchemaMigrator.Outcome {
        do {
            return try await session.perform { connection in
                try SchemaMigrator(connection: connection, catalog: RelaySchema.catalog).migrate()
            }
        } catch let error as MigrationError {
            throw RelayStoreError(.migrationFailed, error.message)
        }
    }

    /// Runs a read or write of this module, turning a refused statement into a ``RelayStoreError``.
    func run<Result: Sendable>(
        _ what: String, transaction: Bool = false, _ body: @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        do {
            return transaction ? try await session.transaction(body) : try await session.perform(body)
        } catch let error as PostgresError {
            throw RelayStoreError(.queryFailed, "\(what): \(error)", sqlState: error.sqlState)
        }
    }
}

/// A failure of the relay's store that is not an outage (those are waited out).
public struct RelayStoreError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: String, Sendable {
        case migrationFailed = "migration failed"
        case queryFailed = "query failed"
        case notFound = "not found"
        case conflict = "conflict"
    }

    public var code: Code
    public var message: String
    /// PostgreSQL's SQLSTATE, when the server refused a statement.
    public var sqlState: String?

    public init(_ code: Code, _ message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
    }

    public var description: String { message }
}
