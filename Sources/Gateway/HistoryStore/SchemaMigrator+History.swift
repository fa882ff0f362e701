import Postgres
import PostgresSupport

extension SchemaMigrator {
    /// The migrator of the gateway's history schema (`flightedge`).
    public init(connection: PostgresConnection) {
        self.init(connection: connection, catalog: SchemaMigrations.catalog)
    }

    /// The newest version of the gateway's history schema this build knows.
    public static var latestVersion: Int { SchemaMigrations.catalog.latestVersion }
}
