import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization

/// A fast stand-in for FCM HTTP v1 and Google's OAuth 2.0 token endpoint, for the relay's
/// throughput and latency figures: HTTP/1.1 over TLS (the stand-ins' local CA signs its
/// certificate), keep-alive, answering `POST …/token` with an access token and
/// `POST /v1/projects/{p}/messages:send` with `200 {"name": "projects/{p}/messages/{n}"}`, as
/// Google does. Unlike `scripts/standins/fcm.py` (80–195 requests/s) it checks no signature: it
/// is here to be faster than what it measures.
final class FCMSink: Sendable {
    let port: Int
    let recorder: SinkRecorder
    private let channel: any Channel

    /// Listens on a free loopback port with `server.pem`/`server.key` of `tlsFolder`.
    init(tlsFolder: URL, recorder: SinkRecorder, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) throws {
        let context = try NIOSSLContext.sinkServer(tlsFolder: tlsFolder)
        self.recorder = recorder
        channel = try ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .serverChannelOption(.backlog, value: 1024)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(FCMSinkHandler(recorder: recorder))
                }
            }
            .bind(host: "127.0.0.1", port: 0).wait()
        port = channel.localAddress?.port ?? 0
    }

    var baseURL: String { "https://127.0.0.1:\(port)" }

    func stop() {
        try? channel.close().wait()
    }
}

/// One connection of the ``FCMSink``.
private final class FCMSinkHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let recorder: SinkRecorder
    private var uri = ""
    private var keepAlive = true
    private var body = ByteBuffer()
    private static let counter = Counter()

    init(recorder: SinkRecorder) {
        self.recorder = recorder
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            uri = head.uri
            keepAlive = head.isKeepAlive
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            let status: HTTPResponseStatus
            let reply: String
            if uri.hasSuffix("/token") {
                status = .ok
                reply = #"{"access_token":"bench-access-token","expires_in":3600,"token_type":"Bearer"}"#
            } else if uri.hasSuffix("/messages:send"), let project = uri.split(separator: "/").dropFirst(2).first {
                status = .ok
                let deliveryID = recorder.keepIDs ? quotedValue(after: "delivery_id", in: body.readableBytesView) : nil
                recorder.accept(deliveryID: deliveryID)
                reply = #"{"name":"projects/\#(project)/messages/\#(Self.counter.next())"}"#
            } else {
                status = .notFound
                reply = #"{"error":{"code":404,"status":"NOT_FOUND"}}"#
            }
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json; charset=UTF-8")
            headers.add(name: "Content-Length", value: String(reply.utf8.count))
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
            context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: reply)))), promise: nil)
            let keepAlive = keepAlive
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { [channel = context.channel] _ in
                if !keepAlive { channel.close(promise: nil) }
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// Message numbers across the sink's connections.
final class Counter: Sendable {
    private let value = Atomic<Int>(0)
    func next() -> Int { value.wrappingAdd(1, ordering: .relaxed).newValue }
    var current: Int { value.load(ordering: .relaxed) }
}
