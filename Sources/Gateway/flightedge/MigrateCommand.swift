import ArgumentParser
import Configuration
import Foundation
import GatewayDaemon
import HistoryStore
import PostgresSupport

/// `flightedge migrate`: applies the schema migrations and reports what it did.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply the PostgreSQL schema migrations (safe to run twice or concurrently)."
    )

    @OptionGroup var config: ConfigOption

    func run() async throws {
        let loaded = try config.load()
        do {
            let password = try SecretFile.read(path: loaded.database.passwordFile, credential: "db-password")
            let store = try HistoryReader(conninfo: loaded.database.url, password: password)
            let outcome = try store.migrate()
            if outcome.applied.isEmpty {
                print("schema is current (version \(outcome.version))")
            } else {
                print("applied migration(s) \(outcome.applied.map(String.init).joined(separator: ", ")); schema at version \(outcome.version)")
            }
        } catch {
            FileHandle.standardError.write(Data("flightedge migrate: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
