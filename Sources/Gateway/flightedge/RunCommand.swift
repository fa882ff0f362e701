import ArgumentParser
import Configuration
import Foundation
import GatewayDaemon
import Logging
import ServiceLifecycle
import UnixSignals

/// `flightedge run`: the daemon, in the foreground (systemd runs this).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the gateway in the foreground until SIGTERM or SIGINT."
    )

    @OptionGroup var config: ConfigOption

    func run() async throws {
        // The gateway never reads the host's zone: its times are UTC and local times use
        // `[airport] timezone` (ZoneRules). Foundation's `TimeZone.current`, which Hummingbird
        // asks for once for its Date header, maps ~2 MB of ICU data for any zone but "GMT".
        // Set first, before a thread could read the environment.
        setenv("TZ", "GMT", 1)
        let loaded = try config.load()
        let logger = makeLogger()
        for warning in loaded.permissionWarnings(configPath: config.path) {
            logger.warning("unsafe file permissions", metadata: ["problem": "\(warning)"])
        }
        let service = GatewayService(config: loaded, path: config.path, version: FlightEdgeCommand.version, logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: service)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        // Without both limits a task sleeping in a retry loop would keep the process alive.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(20)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch {
            logger.critical("flightedge stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
    }
}
