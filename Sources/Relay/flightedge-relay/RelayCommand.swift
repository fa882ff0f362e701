import ArgumentParser
import Configuration
import Foundation
import Logging
import NIOCore
import NIOPosix
import Telemetry

/// `flightedge-relay`: the central side that turns FlightEdge events into passenger
/// notifications (RELAY.md).
@main
struct RelayCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "flightedge-relay",
        abstract: "FlightEdge relay: flight events → passenger notifications by e-mail, SMS, app and browser push.",
        discussion: """
            Exit codes: 0 ok, 1 usage or configuration error, 2 runtime failure.
            The configuration file defaults to /etc/flightedge/relay.toml; FLIGHTEDGE_RELAY_CONFIG overrides it.
            """,
        version: version,
        subcommands: [
            RunCommand.self, MigrateCommand.self, CheckConfigCommand.self, APIKeyCommand.self, SendTestCommand.self,
        ]
    )

    /// ArgumentParser exits 64 on usage errors; the gateway's convention (and RELAY.md) is 1.
    static func main() async {
        // Tasks run on NIO's event loops: a send resumed by its reply goes on where the reply was
        // read, without a hop to Swift's own pool (−11 % of the relays' CPU per delivery, docs/
        // PERFORMANCE.md). Nothing in the relay blocks a task: libpq runs on each DatabaseSession's
        // own thread, the event source's and the change feed's loops on threads of their own.
        NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
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
            if code == .success { self.exit(withError: error) }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(code == .validationFailure || code.rawValue == 64 ? 1 : 2)
        }
    }
}

/// `--config`, shared by every command that reads the configuration.
struct RelayConfigOption: ParsableArguments {
    @Option(name: .long, help: "Configuration file (default: $FLIGHTEDGE_RELAY_CONFIG or /etc/flightedge/relay.toml).")
    var config: String?

    var path: String { config ?? RelayConfig.defaultPath }

    /// Loads and validates the configuration, or prints every error and exits 1.
    func load() throws -> RelayConfig {
        do {
            return try RelayConfig.load(path: path)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}

/// Bootstraps swift-log once, to standard error (journald under systemd).
func makeLogger() -> Logger {
    LoggingSystem.bootstrap { label in
        let level = ProcessInfo.processInfo.environment["FLIGHTEDGE_LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:))
        return ConsoleLogHandler(label: label, level: level ?? .info)
    }
    return Logger(label: "flightedge-relay")
}

/// Prints a line to standard error.
func complain(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
