import ArgumentParser
import Configuration
import Foundation
import GatewayDaemon
import Logging

/// `flightedge`: the airport flight-information gateway (DESIGN.md §7).
@main
struct FlightEdgeCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "flightedge",
        abstract: "Airport flight-information edge gateway: feeds → PostgreSQL history → MQTT.",
        discussion: """
            Exit codes: 0 ok, 1 usage or configuration error, 2 runtime failure.
            The configuration file defaults to /etc/flightedge/flightedge.toml; FLIGHTEDGE_CONFIG overrides it.
            """,
        version: version,
        subcommands: [
            RunCommand.self, CheckConfigCommand.self, MigrateCommand.self, ParseCommand.self, SimulateCommand.self,
            HistoryCommand.self, WatchCommand.self,
        ]
    )

    /// ArgumentParser exits 64 on usage errors; DESIGN.md §7 promises 1.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Foundation.exit(exit.rawValue)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                self.exit(withError: error)  // --help, --version
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 1 : code.rawValue == 64 ? 1 : 2)
        }
    }
}

/// Options every command that reads the configuration shares.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $FLIGHTEDGE_CONFIG or /etc/flightedge/flightedge.toml).")
    var config: String?

    var path: String { config ?? GatewayConfig.defaultPath }

    /// Loads and validates the configuration, or prints every error and exits 1.
    func load() throws -> GatewayConfig { try Self.load(path: path) }

    /// Loads and validates the configuration at `path`, or prints every error and exits 1.
    static func load(path: String) throws -> GatewayConfig {
        switch GatewayConfig.loadChecked(path: path) {
        case .success(let config):
            return config
        case .failure(let refusal):
            FileHandle.standardError.write(Data("\(refusal)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Bootstraps swift-log once, to standard error (journald under systemd).
func makeLogger(_ label: String = "flightedge") -> Logger {
    LoggingSystem.bootstrap { label in
        let level = ProcessInfo.processInfo.environment["FLIGHTEDGE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        return ConsoleLogHandler(label: label, level: level ?? .info)
    }
    return Logger(label: label)
}
