import Configuration
import FeedIngest
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import Telemetry

/// `[http] listen`: `GET /healthz` (200 when healthy, else 503; JSON that says why) and
/// `GET /metrics` (Prometheus text). Anything else is 404, any other method 405. A connection
/// silent for 30 s is closed.
struct OperationsServer: Sendable {
    let address: HostPort
    let observer: GatewayObserver
    let logger: Logger

    /// Serves until the task is cancelled; `onBound` gets the port (useful with port 0).
    func run(onBound: @Sendable (Int) -> Void = { _ in }) async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .childChannelOption(.allowRemoteHalfClosure, value: true)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: address.host, port: address.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: .seconds(30)))
                    try channel.pipeline.syncOperations.addHandler(IdleConnectionCloser())
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(
                        wrappingChannelSynchronously: channel)
                }
            }
        onBound(server.channel.localAddress?.port ?? address.port)
        logger.info("operations endpoint listening (/healthz, /metrics)", metadata: ["address": "\(address)"])
        try await withThrowingDiscardingTaskGroup { group in
            try await server.executeThenClose { connections in
                for try await connection in connections {
                    group.addTask { await serve(connection) }
                }
            }
        }
    }

    private func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async {
        do {
            try await connection.executeThenClose { inbound, outbound in
                var request: HTTPRequestHead?
                for try await part in inbound {
                    switch part {
                    case .head(let head): request = head
                    case .body: continue
                    case .end:
                        guard let head = request else { continue }
                        let response = await respond(to: head)
                        var headers = HTTPHeaders()
                        headers.add(name: "Content-Type", value: response.contentType)
                        headers.add(name: "Content-Length", value: String(response.body.count))
                        headers.add(name: "Cache-Control", value: "no-store")
                        if !head.isKeepAlive { headers.add(name: "Connection", value: "close") }
                        try await outbound.write(.head(HTTPResponseHead(version: head.version, status: response.status, headers: headers)))
                        try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: response.body))))
                        try await outbound.write(.end(nil))
                        if !head.isKeepAlive { return }
                        request = nil
                    }
                }
            }
        } catch {
            logger.debug("operations connection ended with an error", metadata: ["error": "\(error)"])
        }
    }

    private struct Response {
        var status: HTTPResponseStatus
        var contentType: String
        var body: [UInt8]
    }

    private func respond(to head: HTTPRequestHead) async -> Response {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard path == "/healthz" || path == "/metrics" else {
            return Response(status: .notFound, contentType: "text/plain; charset=utf-8", body: Array("not found: try /healthz or /metrics\n".utf8))
        }
        guard head.method == .GET || head.method == .HEAD else {
            return Response(status: .methodNotAllowed, contentType: "text/plain; charset=utf-8", body: Array("GET only\n".utf8))
        }
        let snapshot = await observer.snapshot()
        if path == "/healthz" {
            return Response(
                status: snapshot.isHealthy ? .ok : .serviceUnavailable, contentType: "application/json",
                body: observer.healthJSON(snapshot))
        }
        return Response(
            status: .ok, contentType: GatewayMetrics.contentType,
            body: observer.metrics.exposition(of: observer.figures(snapshot)))
    }
}
