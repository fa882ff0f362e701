import ProviderHTTP
import AsyncHTTPClient
import Channels
import Foundation
import NIOCore
import NIOHTTP1
import _CryptoExtras

/// App push through Firebase Cloud Messaging's HTTP v1 API: one `messages:send` per attempt, with an
/// OAuth 2.0 access token from the service account (fetched, cached and refreshed by
/// ``AccessTokenSource``; concurrent sends share one refresh).
///
/// Outcomes: 200 → the message's `name` as provider id; 404 / `UNREGISTERED` → `.contactGone`;
/// 400 → `.final`; 401 → the token is dropped and `.retry`; 403 → `.misconfigured`;
/// 429 / 5xx → `.retry` after `Retry-After`; no answer → `.retry`. A refused service-account
/// assertion (`invalid_grant`) is `.misconfigured`.
public final class FCMChannel: NotificationChannel {
    /// Always ``ChannelKind/fcm``.
    public let kind = ChannelKind.fcm

    private let settings: Settings
    private let account: ServiceAccount
    private let client: HTTPClient
    private let tokens: AccessTokenSource
    private let sendURL: String

    /// Reads the service account (and its key) and opens the HTTP client; nothing is sent yet.
    /// Throws ``FCMSetupError`` for an unusable service account, base URL or CA file.
    public init(settings: Settings) throws(FCMSetupError) {
        let account = try ServiceAccount(json: settings.serviceAccountJSON)
        let key: _RSA.Signing.PrivateKey
        do {
            key = try _RSA.Signing.PrivateKey(pemRepresentation: account.privateKeyPEM)
        } catch {
            throw FCMSetupError(
                .privateKey, "the private_key of service account \(account) is no RSA key of 2048 bits or more in PEM: \(error)")
        }
        let base = settings.baseURL.hasSuffix("/") ? String(settings.baseURL.dropLast()) : settings.baseURL
        guard base.hasPrefix("https://") || base.hasPrefix("http://") else {
            throw FCMSetupError(.baseURL, "the FCM base_url \"\(settings.baseURL)\" is no http(s) URL")
        }
        do {
            client = try HTTPClient.provider(
                trustedCAFile: settings.trustedCAFile, maxConcurrent: settings.maxConcurrent, timeout: settings.timeout)
        } catch {
            throw FCMSetupError(
                .trustedCA, "cannot read the trusted CA file \(settings.trustedCAFile ?? "-") as PEM certificates: \(error)")
        }
        self.settings = settings
        self.account = account
        self.sendURL = "\(base)/v1/projects/\(account.projectID)/messages:send"
        self.tokens = AccessTokenSource(
            assertion: ServiceAccountAssertion(account: account, key: key), client: client, timeout: settings.timeout)
    }

    /// Sends `message` to the app installation of an `.fcm` contact point, once.
    public func send(_ message: OutgoingMessage, to contact: ContactPoint) async throws(ChannelFailure) -> ProviderAcceptance {
        guard case .fcm(let registrationToken) = contact else {
            throw ChannelFailure(.final, "the FCM channel cannot send to a contact point of channel \(contact.channel.rawValue)")
        }
        let accessToken = try await tokens.token()
        var request = HTTPClientRequest(url: sendURL)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(accessToken)")
        request.headers.add(name: "Content-Type", value: "application/json; charset=UTF-8")
        request.body = .bytes(FCMMessageBody.encode(message, registrationToken: registrationToken, now: Date()))

        let response: HTTPClientResponse
        let body: [UInt8]
        do {
            response = try await client.execute(request, timeout: TimeAmount(settings.timeout))
            body = try await response.bodyBytes()
        } catch {
            throw ChannelFailure(.retry(afterSeconds: nil), "cannot reach FCM at \(settings.baseURL): \(error)")
        }
        if response.status == .unauthorized { await tokens.invalidate(accessToken) }
        return try FCMReply.outcome(
            httpStatus: Int(response.status.code), retryAfter: response.retryAfterSeconds, body: body
        ).get()
    }

    /// Closes the HTTP client's connections; no `send` may run after it.
    public func shutdown() async {
        try? await client.shutdown()
    }
}
