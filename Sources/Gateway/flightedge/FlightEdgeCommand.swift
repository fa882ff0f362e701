import ArgumentParser
import Configuration
import Foundation
import GatewayDaemon
import Telemetry
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
            HistoryCommand.self, FlightsCommand.self, WatchCommand.self, PollOnceCommand.self,
        ]
    )

    /// ArgumentParser exits 64 on usage errors; DESIGN.md §7 promises 1.
    static func main() async {
        var parsed: (any ParsableCommand.Type)?
        do {
            var command = try parseAsRoot()
            parsed = type(of: command)
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
            FileHandle.standardError.write(Data((message(for: error, in: parsed) + "\n").utf8))
            Foundation.exit(code == .validationFailure ? 1 : code.rawValue == 64 ? 1 : 2)
        }
    }
}

extension FlightEdgeCommand {
    /// The error with the usage of the subcommand it came from: a subcommand's `run()` that
    /// refuses its options gets its own usage line, not the root's.
    static func message(for error: any Error, in subcommand: (any ParsableCommand.Type)?) -> String {
        guard let subcommand, subcommand != FlightEdgeCommand.self, error is ValidationError else {
            return fullMessage(for: error)
        }
        let name = subcommand.configuration.commandName ?? ""
        return """
            Error: \(message(for: error))
            Usage: \(usageString(for: subcommand))
              See 'flightedge \(name) --help' for more information.
            """
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
