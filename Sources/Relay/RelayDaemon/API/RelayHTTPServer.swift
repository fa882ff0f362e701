import Configuration
import Hummingbird
import HummingbirdCore
import Logging
import ServiceLifecycle

/// `[http] listen`: the relay's API and pages, a Hummingbird application in a service group of
/// its own, stopped by the relay after the source and the dispatcher (open requests get a moment).
final class RelayHTTPServer: Sendable {
    private let group: ServiceGroup

    init(address: HostPort, routes: RelayRoutes, logger: Logger) {
        let router = Router(context: RelayRequestContext.self, options: .autoGenerateHeadEndpoints)
        router.add(middleware: APIProblemMiddleware())
        routes.add(to: router)
        let application = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: .seconds(30))),
            configuration: ApplicationConfiguration(address: .hostname(address.host, port: address.port), backlog: 256),
            onServerRunning: { _ in logger.info("relay HTTP API listening", metadata: ["address": "\(address)"]) },
            logger: logger)
        var configuration = ServiceGroupConfiguration(services: [application], logger: logger)
        configuration.maximumGracefulShutdownDuration = .seconds(2)
        configuration.maximumCancellationDuration = .seconds(1)
        group = ServiceGroup(configuration: configuration)
    }

    func run() async throws {
        try await group.run()
    }

    func stop() async {
        await group.triggerGracefulShutdown()
    }
}
