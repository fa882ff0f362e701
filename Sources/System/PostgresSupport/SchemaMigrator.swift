import Postgres

/// Applies FlightEdge's schema migrations to a database (`flightedge migrate`, and at start).
///
/// Safe to run twice and concurrently: a session-level advisory lock lets one migrator work
/// at a time, each migration runs in its own transaction with its row in
/// `flightedge.schema_migrations`, and a database migrated by a newer FlightEdge is refused.
public struct SchemaMigrator {
    /// The advisory lock key, an arbitrary constant shared by every FlightEdge process.
    static let lockKey: Int64 = 0x466C_6967_6874_4564  // "FlightEd"

    private let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// The newest schema version this build knows.
    public static var latestVersion: Int { SchemaMigrations.latestVersion }

    /// What ``migrate()`` did.
    public struct Outcome: Sendable, Equatable {
        /// The versions applied now, in order; empty when the schema was already current.
        public var applied: [Int]
        /// The schema version after the run.
        public var version: Int
    }

    /// Brings the schema to ``latestVersion`` (or to `target`, for tests of an upgrade).
    ///
    /// - Throws: ``MigrationError`` when the database is newer than this build or a
    ///   migration fails (the failed migration is rolled back; earlier ones stay).
    public func migrate(upTo target: Int = SchemaMigrator.latestVersion) throws(MigrationError) -> Outcome {
        do {
            try connection.query("SELECT pg_advisory_lock($1)", [.int(Self.lockKey)])
        } catch {
            throw MigrationError(message: "could not take the migration lock: \(error)", underlying: error)
        }
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [.int(Self.lockKey)]) }

        let current: Int
        do {
            try connection.execute(
                """
                CREATE SCHEMA IF NOT EXISTS flightedge;
                CREATE TABLE IF NOT EXISTS flightedge.schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """)
            let result = try connection.query("SELECT coalesce(max(version), 0) FROM flightedge.schema_migrations")
            current = Int(result.rows.first?.first.flatMap { $0 } ?? "0") ?? 0
        } catch {
            throw MigrationError(message: "could not read the schema version: \(error)", underlying: error)
        }

        guard current <= Self.latestVersion else {
            throw MigrationError(
                message: """
                    the database schema is at version \(current), newer than this flightedge knows \
                    (\(Self.latestVersion)); install the flightedge that migrated it, or a newer one
                    """,
                underlying: nil)
        }

        var applied: [Int] = []
        for migration in SchemaMigrations.all where migration.version > current && migration.version <= target {
            do {
                try connection.execute("BEGIN")
                try connection.execute(migration.sql)
                try connection.query(
                    "INSERT INTO flightedge.schema_migrations (version, name) VALUES ($1, $2)",
                    [.int(migration.version), .text(migration.name)])
                try connection.execute("COMMIT")
                applied.append(migration.version)
            } catch {
                _ = try? connection.execute("ROLLBACK")
                throw MigrationError(
                    message: "migration \(migration.version) (\(migration.name)) failed: \(error)", underlying: error)
            }
        }
        return Outcome(applied: applied, version: applied.last ?? current)
    }
}

/// A schema migration that could not be applied, with a message an operator can act on.
public struct MigrationError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The database error behind it, if any.
    public var underlying: PostgresError?

    public var description: String { message }
}
