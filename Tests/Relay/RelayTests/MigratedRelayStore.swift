import FlightEdgeTestSupport
import Logging
import Postgres
import PostgresSupport
import RelayStore

/// A temporary database migrated by the relay, with the store the dispatcher would use and a
/// plain connection for the test's own statements.
enum MigratedRelayStore {
    static func with<Result>(
        role: String, logger: Logger, _ body: (RelayStore, PostgresConnection, String) async throws -> Result
    ) async throws -> Result {
        try await TestServices.withTemporaryDatabase { url in
            let store = RelayStore(
                connector: DatabaseConnector(conninfo: url, password: nil, logger: logger), logger: logger, role: role)
            _ = try await store.migrate()
            return try await body(store, try PostgresConnection(conninfo: url), url)
        }
    }
}
