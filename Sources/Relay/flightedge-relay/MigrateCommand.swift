import ArgumentParser
import Configuration
import Logging
import PostgresSupport
import RelayStore

/// `flightedge-relay migrate`: schema `relay`; safe twice and concurrently.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate", abstract: "Create or upgrade the relay's schema in its PostgreSQL database.")

    @OptionGroup var config: RelayConfigOption

    func run() async throws {
        let loaded = try config.load()
        let store = try openStore(loaded, role: "migrate")
        do {
            let outcome = try await store.migrate()
            print(
                outcome.applied.isEmpty
                    ? "relay schema already at version \(outcome.version)"
                    : "relay schema migrated to version \(outcome.version) (applied \(outcome.applied.map(String.init).joined(separator: ", ")))")
        } catch {
            complain("flightedge-relay migrate: \(error)")
            throw ExitCode(2)
        }
    }
}

/// A store for a one-shot command: the first connection attempt failing is an error, not
/// something to wait out (an operator is watching).
func openStore(_ config: RelayConfig, role: String) throws -> RelayStore {
    let password = try SecretFile.read(path: config.database.passwordFile, credential: "relay-db-password")
    let connector = DatabaseConnector(conninfo: config.database.url, password: password, logger: Logger(label: "flightedge-relay"))
    do {
        _ = try connector.connect()
    } catch {
        complain("flightedge-relay: cannot reach PostgreSQL: \(error)")
        throw ExitCode(2)
    }
    return RelayStore(connector: connector, logger: Logger(label: "flightedge-relay"), role: role)
}
