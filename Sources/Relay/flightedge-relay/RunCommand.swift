import ArgumentParser
import Logging
import RelayDaemon
import ServiceLifecycle
import UnixSignals

/// `flightedge-relay run`: the relay in the foreground (systemd `Type=notify`).
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run the relay in the foreground until SIGTERM or SIGINT.")

    @OptionGroup var config: RelayConfigOption

    func run() async throws {
        let loaded = try config.load()
        let logger = makeLogger()
        let service = RelayService(config: loaded, version: RelayCommand.version, logger: logger)
        var groupConfiguration = ServiceGroupConfiguration(
            services: [.init(service: service)], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        // Without both limits a task sleeping in a retry loop would keep the process alive.
        groupConfiguration.maximumGracefulShutdownDuration = .seconds(20)
        groupConfiguration.maximumCancellationDuration = .seconds(5)
        do {
            try await ServiceGroup(configuration: groupConfiguration).run()
        } catch {
            logger.critical("flightedge-relay stopped on an error", metadata: ["error": "\(error)"])
            throw ExitCode(2)
        }
    }
}
