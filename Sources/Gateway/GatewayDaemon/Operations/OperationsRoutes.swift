import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOCore
import Telemetry

/// `GET /healthz` (200 when healthy, else 503; JSON that says why) and `GET /metrics`
/// (Prometheus text), both also for `HEAD`. Other routes (the airport boards) go on the same
/// router beside these.
struct OperationsRoutes: Sendable {
    let observer: GatewayObserver

    /// The paths served here: another method on them is 405, not 404.
    static let paths: Set<String> = ["/healthz", "/metrics"]

    func add<Context: RequestContext>(to router: Router<Context>) {
        router.get("/healthz") { _, _ in await health() }
        router.get("/metrics") { _, _ in await metricsPage() }
    }

    private func health() async -> Response {
        let snapshot = await observer.snapshot()
        return Self.response(
            snapshot.isHealthy ? .ok : .serviceUnavailable, contentType: "application/json",
            body: observer.healthJSON(snapshot))
    }

    private func metricsPage() async -> Response {
        let snapshot = await observer.snapshot()
        return Self.response(
            .ok, contentType: GatewayMetrics.contentType, body: observer.metrics.exposition(of: observer.figures(snapshot)))
    }

    /// A whole body, never cached.
    static func response(_ status: HTTPResponse.Status, contentType: String, body: [UInt8]) -> Response {
        Response(
            status: status, headers: [.contentType: contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body)))
    }
}
