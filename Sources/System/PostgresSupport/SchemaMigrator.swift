import Postgres

/// One program's versioned schema: the SQL that builds it, in order. Compiled into the binary so
/// that an installed program needs no resource files. Never edit a released migration: add one.
public struct MigrationCatalog: Sendable {
    /// One step of the schema.
    public struct Migration: Sendable {
        public let version: Int
        public let name: String
        public let sql: String

        public init(version: Int, name: String, sql: String) {
            self.version = version
            self.name = name
            self.sql = sql
        }
    }

    /// The PostgreSQL schema the migrations build, which also holds `schema_migrations`.
    public let schema: String
    /// The session-level advisory lock that lets one migrator of this schema work at a time.
    public let lockKey: Int64
    /// The program named in errors ("install the flightedge that migrated it").
    public let program: String
    public let migrations: [Migration]

    public init(schema: String, lockKey: Int64, program: String, migrations: [Migration]) {
        self.schema = schema
        self.lockKey = lockKey
        self.program = program
        self.migrations = migrations
    }

    /// The newest schema version this build knows.
    public var latestVersion: Int { migrations.last?.version ?? 0 }
}

/// Applies a program's schema migrations to a database (`flightedge migrate`,
/// `flightedge-relay migrate`, and at start).
///
/// Safe to run twice and concurrently: a session-level advisory lock lets one migrator work
/// at a time, each migration runs in its own transaction with its row in
/// `{schema}.schema_migrations`, and a database migrated by a newer build is refused.
public struct SchemaMigrator {
    private let connection: PostgresConnection
    public let catalog: MigrationCatalog

    public init(connection: PostgresConnection, catalog: MigrationCatalog) {
        self.connection = connection
        self.catalog = catalog
    }

    /// What ``migrate(upTo:)`` did.
    public struct Outcome: Sendable, Equatable {
        /// The versions applied now, in order; empty when the schema was already current.
        public var applied: [Int]
        /// The schema version after the run.
        public var version: Int
    }

    /// Brings the schema to the catalog's latest version (or to `target`, for tests of an upgrade).
    ///
    /// - Throws: ``MigrationError`` when the database is newer than this build or a
    ///   migration fails (the failed migration is rolled back; earlier ones stay).
    public func migrate(upTo target: Int? = nil) throws(MigrationError) -> Outcome {
        let target = target ?? catalog.latestVersion
        let schema = connection.quoteIdentifier(catalog.schema)
        do {
            try connection.query("SELECT pg_advisory_lock($1)", [.int(catalog.lockKey)])
        } catch {
            throw MigrationError(message: "could not take the migration lock: \(error)", underlying: error)
        }
        defer { _ = try? connection.query("SELECT pg_advisory_unlock($1)", [.int(catalog.lockKey)]) }

        let current: Int
        do {
            try connection.execute(
                """
                CREATE SCHEMA IF NOT EXISTS \(schema);
                CREATE TABLE IF NOT EXISTS \(schema).schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                );
                """)
            let result = try connection.query("SELECT coalesce(max(version), 0) FROM \(schema).schema_migrations")
            current = Int(result.rows.first?.first.flatMap { $0 } ?? "0") ?? 0
        } catch {
            throw MigrationError(message: "could not read the schema version: \(error)", underlying: error)
        }

        guard current <= catalog.latestVersion else {
            throw MigrationError(
                message: """
                    the database schema \(catalog.schema) is at version \(current), newer than this \
                    \(catalog.program) knows (\(catalog.latestVersion)); install the \(catalog.program) \
                    that migrated it, or a newer one
                    """,
                underlying: nil)
        }

        var applied: [Int] = []
        for migration in catalog.migrations where migration.version > current && migration.version <= target {
            do {
                try connection.execute("BEGIN")
                try connection.execute(migration.sql)
                try connection.query(
                    "INSERT INTO \(schema).schema_migrations (version, name) VALUES ($1, $2)",
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
