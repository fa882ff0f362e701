import Configuration
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import ServiceLifecycle

/// `[http] listen`: the operations endpoint, a Hummingbird application in a service group of its
/// own, so that the gateway stops it when it chooses (after draining, as before), not at the
/// first signal. A connection idle for 30 s is closed.
final class OperationsServer: Sendable {
    private let group: ServiceGroup

    init(address: HostPort, routes: OperationsRoutes, boards: BoardRoutes? = nil, logger: Logger) {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: PlainTextNotFound(paths: OperationsRoutes.paths))
        routes.add(to: router)
        boards?.add(to: router)
        let application = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), backlog: 64),
            onServerRunning: { _ in
                logger.info("operations endpoint listening (/healthz, /metrics)", metadata: ["address": "\(address)"])
            },
            logger: logger)
        var configuration = ServiceGroupConfiguration(services: [application], logger: logger)
        // Open requests get a moment to finish; the daemon's own stop bounds stay what they were.
        configuration.maximumGracefulShutdownDuration = .seconds(2)
        configuration.maximumCancellationDuration = .seconds(1)
        group = ServiceGroup(configuration: configuration)
    }

    /// Serves until ``stop()``; throws at once when it cannot listen.
    func run() async throws {
        try await group.run()
    }

    /// Stops listening, lets open requests finish, closes idle connections; ``run()`` returns.
    func stop() async {
        await group.triggerGracefulShutdown()
    }
}
