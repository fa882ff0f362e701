import Configuration
import Logging
import NIOCore
import NIOSSL

/// The TLS side of a TCP feed: one context per feed, read from its PEM files when the feed
/// starts (a reload that changes them restarts the feed), and the handler each connection gets.
public struct FeedTLSContext: Sendable {
    /// Reads a feed's TLS files as the feed will when it starts: what `check-config` and a
    /// reload ask before they accept a configuration.
    public static func check(_ feed: FeedConfig) throws {
        guard let tls = feed.tls, let address = feed.address else { return }
        if feed.transport == .tcpListen {
            _ = try listener(tls, feed: feed.name)
        } else {
            _ = try connector(tls, feed: feed.name, host: address.host)
        }
    }

    private let context: NIOSSLContext
    private let isServer: Bool
    private let serverHostname: String?

    /// A listener's context: our certificate, and with `tls_ca_file` the CA a sender's client
    /// certificate must be signed by.
    static func listener(_ tls: FeedTLS, feed: String) throws -> FeedTLSContext {
        guard let certFile = tls.certFile, let keyFile = tls.keyFile else {
            throw FeedTLSError(feed: feed, message: "a TLS listener needs tls_cert_file and tls_key_file")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: try chain(feed, certFile), privateKey: try key(feed, keyFile))
        if let caFile = tls.caFile {
            configuration.trustRoots = .certificates(try load(feed, caFile) { try NIOSSLCertificate.fromPEMFile($0) })
            // Client certificates carry no host name to check; the CA's signature is the check.
            configuration.certificateVerification = .noHostnameVerification
        }
        return FeedTLSContext(context: try NIOSSLContext(configuration: configuration), isServer: true, serverHostname: nil)
    }

    /// A client's context: the CA that signed the sender's certificate, and our own certificate
    /// if one is configured.
    static func connector(_ tls: FeedTLS, feed: String, host: String) throws -> FeedTLSContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caFile = tls.caFile {
            configuration.trustRoots = .certificates(try load(feed, caFile) { try NIOSSLCertificate.fromPEMFile($0) })
        }
        if let certFile = tls.certFile, let keyFile = tls.keyFile {
            configuration.certificateChain = try chain(feed, certFile)
            configuration.privateKey = try key(feed, keyFile)
        }
        // SNI takes a host name, never an address; an address is checked against the
        // certificate's IP entries instead.
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return FeedTLSContext(
            context: try NIOSSLContext(configuration: configuration), isServer: false, serverHostname: isAddress ? nil : host)
    }

    /// Adds the TLS handler in front of a new connection's pipeline.
    /// Puts TLS in front of a new connection's pipeline, with a reporter that logs and counts
    /// a failed handshake for `feed` as a refused connection.
    func addHandler(to channel: any Channel, feed: String, counters: FeedCounters, logger: Logger) throws {
        if isServer {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        } else {
            try channel.pipeline.syncOperations.addHandler(
                try NIOSSLClientHandler(context: context, serverHostname: serverHostname))
        }
        try channel.pipeline.syncOperations.addHandler(TLSFailureReporter(feed: feed, counters: counters, logger: logger))
    }

    /// Our certificate chain from a PEM file.
    private static func chain(_ feed: String, _ path: String) throws -> [NIOSSLCertificateSource] {
        try load(feed, path) { try NIOSSLCertificate.fromPEMFile($0).map { .certificate($0) } }
    }

    /// Our private key from a PEM file.
    private static func key(_ feed: String, _ path: String) throws -> NIOSSLPrivateKeySource {
        try load(feed, path) { .privateKey(try NIOSSLPrivateKey(file: $0, format: .pem)) }
    }

    private static func load<Value>(_ feed: String, _ path: String, _ body: (String) throws -> Value) throws -> Value {
        do {
            return try body(path)
        } catch {
            throw FeedTLSError(feed: feed, message: "cannot read \(path): \(error)")
        }
    }
}

/// A feed's TLS files cannot be used: which feed, which file, what is wrong.
public struct FeedTLSError: Error, CustomStringConvertible {
    public var feed: String
    public var message: String
    public var description: String { "TLS: \(message)" }
}

/// Logs and counts a failed TLS handshake where it happens, in the connection's pipeline: a
/// sender that does not speak TLS at all is closed there, before the feed's reader has seen
/// the connection. Once per connection.
final class TLSFailureReporter: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let feed: String
    private let counters: FeedCounters
    private let logger: Logger
    private var reported = false

    init(feed: String, counters: FeedCounters, logger: Logger) {
        self.feed = feed
        self.counters = counters
        self.logger = logger
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let isHandshake: Bool
        if case NIOSSLError.uncleanShutdown = error {
            isHandshake = false  // many senders close without close_notify: not a refusal
        } else {
            isHandshake = error is NIOSSLError || error is BoringSSLError
        }
        if isHandshake && !reported {
            reported = true
            counters.peerRefused()
            logger.warning(
                "feed connection closed: TLS failed (a certificate not signed by tls_ca_file, no client certificate, or not TLS at all)",
                metadata: [
                    "feed": "\(feed)", "peer": "\(context.channel.remoteAddress?.ipAddress ?? "unknown")", "error": "\(error)",
                ])
        }
        context.fireErrorCaught(error)
    }
}
