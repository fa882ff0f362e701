import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import NIOSSL

// What the HTTP providers' channels (Twilio, FCM) share: how a client to a provider is set up,
// and how its answers are read.
extension HTTPClient {
    /// A client for one provider's API: the system's trust roots plus `trustedCAFile` (tests use a
    /// local CA), up to `maxConcurrent` connections, no redirects (an `Authorization` header must
    /// never follow one). Reads the CA file now so that a wrong path fails at start, not on every send.
    public static func provider(trustedCAFile: String?, maxConcurrent: Int, timeout: Duration) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        if let trustedCAFile {
            tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(trustedCAFile))]
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: TimeAmount(timeout)))
        configuration.connectionPool = .init(
            idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(1, maxConcurrent))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }
}

extension HTTPClientResponse {
    /// The whole body, at most `limit` bytes (providers answer with small JSON documents).
    public func bodyBytes(limit: Int = 1 << 20) async throws -> [UInt8] {
        Array(try await body.collect(upTo: limit).readableBytesView)
    }

    /// `Retry-After` in seconds when the provider sent it as a number (an HTTP date gives nil:
    /// the dispatcher's backoff applies then).
    public var retryAfterSeconds: Double? {
        headers.first(name: "Retry-After").flatMap { Double($0.filter { $0 != " " }) }.map { max(0, $0) }
    }
}
