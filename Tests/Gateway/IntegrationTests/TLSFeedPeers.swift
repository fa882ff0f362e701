import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// The other ends of a TLS feed, for tests: a sender that connects to a `tcp-listen` feed and a
/// sender that serves a `tcp-connect` feed, both with the test's own certificates.
enum TLSFeedPeers {
    /// Connects to a feed on 127.0.0.1, sends `text` and closes. A handshake the daemon refuses
    /// may only show on the daemon's side (TLS 1.3 checks a client certificate after the
    /// client thinks it is done), so errors after the connect are ignored; with `expectRefusal`
    /// the sender stays until the daemon closes the connection (at most 10 s), so the refusal
    /// is the daemon's doing and not a sender that left first.
    static func send(
        _ text: String, port: Int, trusting caFile: String, certificate: (file: String, key: String)?,
        expectRefusal: Bool = false
    ) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
        if let certificate {
            configuration.certificateChain = try NIOSSLCertificate.fromPEMFile(certificate.file).map { .certificate($0) }
            configuration.privateKey = .privateKey(try NIOSSLPrivateKey(file: certificate.key, format: .pem))
        }
        let context = try NIOSSLContext(configuration: configuration)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
        try? await channel.executeThenClose { inbound, outbound in
            try await outbound.write(ByteBuffer(string: text))
            if expectRefusal {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { for try await _ in inbound {} }
                    group.addTask { try await Task.sleep(for: .seconds(10)) }
                    try await group.next()
                    group.cancelAll()
                }
            } else {
                // Let the bytes leave before close_notify.
                try await Task.sleep(for: .milliseconds(300))
            }
        }
    }

    /// A TLS server on 127.0.0.1 that sends `text` to every connection and keeps it open
    /// until ``stop()``: an AODB serving its stream to a `tcp-connect` feed.
    final class Server: Sendable {
        let port: Int
        private let task: Task<Void, Never>

        init(text: String, certificate: String, key: String, clientCA: String? = nil) async throws {
            var configuration = TLSConfiguration.makeServerConfiguration(
                certificateChain: try NIOSSLCertificate.fromPEMFile(certificate).map { .certificate($0) },
                privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            if let clientCA {
                configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(clientCA))
                configuration.certificateVerification = .noHostnameVerification
            }
            let context = try NIOSSLContext(configuration: configuration)
            let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: "127.0.0.1", port: 0) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
                        return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
            port = server.channel.localAddress?.port ?? 0
            task = Task {
                try? await withThrowingDiscardingTaskGroup { group in
                    try await server.executeThenClose { connections in
                        for try await connection in connections {
                            group.addTask {
                                try? await connection.executeThenClose { inbound, outbound in
                                    try await outbound.write(ByteBuffer(string: text))
                                    for try await _ in inbound {}
                                }
                            }
                        }
                    }
                }
            }
        }

        func stop() { task.cancel() }
    }
}
