import ArgumentParser
import RelayDaemon
import RelayStore

/// `flightedge-relay api-key create NAME`: prints a new API key once (stored hashed).
struct APIKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "api-key", abstract: "Manage the API keys of airline apps and websites.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "create", abstract: "Create an API key and print it once; only its hash is stored.")

        @Argument(help: "Who the key is for (an airline app, a website).")
        var name: String

        @OptionGroup var config: RelayConfigOption

        func validate() throws {
            guard !name.isEmpty, name.count <= 100 else { throw ValidationError("NAME must be 1 to 100 characters") }
        }

        func run() async throws {
            let loaded = try config.load()
            let store = try openStore(loaded, role: "api-key")
            do {
                _ = try await store.migrate()
                let key = RelayAPIKeys.generate()
                let id = try await store.addAPIKey(name: name, hash: RelayAPIKeys.hash(key))
                print(key)
                complain("API key \(id) for \"\(name)\" created; it is shown only now.")
            } catch {
                complain("flightedge-relay api-key create: \(error)")
                throw ExitCode(2)
            }
        }
    }
}
