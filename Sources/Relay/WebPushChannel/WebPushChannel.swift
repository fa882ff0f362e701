import AsyncHTTPClient
import Channels
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Browser push (RFC 8030) through the push service named by each subscription's endpoint: the
/// message's JSON encrypted for the browser (RFC 8291 `aes128gcm`), VAPID-authorized (RFC 8292),
/// POSTed over one shared HTTPS client. One attempt per ``send(_:to:)``; the dispatcher retries.
public final class WebPushChannel: NotificationChannel {
    /// What the channel needs: the `[webpush]` table of the relay's configuration, the key already read.
    public struct Settings: Sendable, CustomStringConvertible {
        /// The contents of `vapid_private_key_file`: PEM P-256 (SEC1 or PKCS#8), or a base64url raw key.
        public var vapidPrivateKey: String
        /// `subject`: `mailto:ops@example.org` or an `https:` URL, the push services' contact.
        public var subject: String
        /// `ca_file`: a PEM file of CAs trusted in addition to the system's (tests' local CA); nil for none.
        public var trustedCAFile: String?
        /// At most this many connections per push service host at once (default 16); more sends wait.
        public var maxConcurrent: Int
        /// The limit on one request, connect to last byte of the answer (default 30 s).
        public var requestTimeoutSeconds: Double

        public init(
            vapidPrivateKey: String, subject: String, trustedCAFile: String? = nil, maxConcurrent: Int = 16,
            requestTimeoutSeconds: Double = 30
        ) {
            self.vapidPrivateKey = vapidPrivateKey
            self.subject = subject
            self.trustedCAFile = trustedCAFile
            self.maxConcurrent = maxConcurrent
            self.requestTimeoutSeconds = requestTimeoutSeconds
        }

        /// The settings without the key.
        public var description: String {
            "webpush(subject: \(subject), ca_file: \(trustedCAFile ?? "-"), max_concurrent: \(maxConcurrent), "
                + "timeout: \(requestTimeoutSeconds) s)"
        }
    }

    public var kind: ChannelKind { .webpush }
    /// The VAPID public key, base64url (65-byte uncompressed point): the `applicationServerKey` the
    /// passenger page passes to `PushManager.subscribe()`. Subscriptions made with another key are refused.
    public var applicationServerKey: String { vapid.publicKey }

    private let vapid: VAPID
    private let client: HTTPClient
    private let timeout: TimeAmount

    /// Loads the VAPID key and the CA file and creates the HTTPS client; throws when either is unusable.
    public init(settings: Settings) throws(WebPushSetupError) {
        guard settings.maxConcurrent >= 1, settings.requestTimeoutSeconds > 0 else {
            throw WebPushSetupError(.invalidSettings, "maxConcurrent must be ≥ 1 and the request timeout > 0 (\(settings))")
        }
        self.vapid = try VAPID(privateKey: settings.vapidPrivateKey, subject: settings.subject)
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = settings.trustedCAFile {
            do {
                tls.additionalTrustRoots = [.certificates(try NIOSSLCertificate.fromPEMFile(caFile))]
            } catch {
                throw WebPushSetupError(.invalidCAFile, "ca_file \(caFile) cannot be read as PEM certificates: \(error)")
            }
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(10), read: .milliseconds(Int64(settings.requestTimeoutSeconds * 1000))))
        configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = settings.maxConcurrent
        // One attempt per send: a refused connection or an untrusted certificate fails at once with
        // its own error (the dispatcher backs off), instead of being retried until the deadline.
        configuration.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = .milliseconds(Int64(settings.requestTimeoutSeconds * 1000))
    }

    /// Encrypts and POSTs one message to the subscription's endpoint.
    ///
    /// Headers: `TTL` (the message's time to live), `Urgency`, `Topic` (from the replace key: a newer
    /// message replaces an undelivered older one), `Content-Encoding: aes128gcm`, `Authorization: vapid …`.
    /// A subscription whose keys or endpoint are unusable is `.contactGone`: no message can ever reach it.
    public func send(_ message: OutgoingMessage, to contact: ContactPoint) async throws(ChannelFailure) -> ProviderAcceptance {
        guard case .webpush(let subscription) = contact else {
            throw ChannelFailure(.final, "the Web Push channel was handed a \(contact.channel.rawValue) contact")
        }
        let authorization: String
        do {
            authorization = try vapid.authorization(for: subscription.endpoint)
        } catch {
            throw ChannelFailure(.contactGone, error.message)
        }
        let body: [UInt8]
        do {
            body = try WebPushEncryption.encrypt(
                WebPushPayload.json(for: message), p256dh: subscription.p256dh, auth: subscription.auth)
        } catch {
            throw ChannelFailure(error.subscriptionIsInvalid ? .contactGone : .final, error.message)
        }

        var request = HTTPClientRequest(url: subscription.endpoint)
        request.method = .POST
        request.headers.add(name: "Authorization", value: authorization)
        request.headers.add(name: "TTL", value: String(max(0, message.timeToLiveSeconds)))
        request.headers.add(name: "Urgency", value: message.urgency.rawValue)
        request.headers.add(name: "Topic", value: WebPushPayload.topic(forReplaceKey: message.replaceKey))
        request.headers.add(name: "Content-Encoding", value: "aes128gcm")
        request.headers.add(name: "Content-Type", value: "application/octet-stream")
        request.body = .bytes(ByteBuffer(bytes: body))

        let response: HTTPClientResponse
        let answer: String
        do {
            response = try await client.execute(request, timeout: timeout)
            // Read the answer to its end so the connection goes back to the pool.
            answer = String(buffer: try await response.body.collect(upTo: 64 * 1024))
        } catch {
            throw ChannelFailure(.retry(afterSeconds: nil), "the push service at \(Self.host(of: subscription.endpoint)) "
                + "could not be reached or did not answer: \(error)")
        }
        let outcome = PushServiceAnswer.outcome(
            status: Int(response.status.code), location: response.headers.first(name: "Location"),
            retryAfter: response.headers.first(name: "Retry-After"), body: answer)
        return try outcome.get()
    }

    /// Closes the client's connections; no ``send(_:to:)`` runs after it.
    public func shutdown() async {
        try? await client.shutdown()
    }

    private static func host(of endpoint: String) -> String {
        URLComponents(string: endpoint)?.host ?? endpoint
    }
}
