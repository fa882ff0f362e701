import ProviderHTTP
import AsyncHTTPClient
import Channels
import Foundation
import JSON
import NIOCore
import NIOHTTP1
import _CryptoExtras

/// The OAuth 2.0 access token every `messages:send` carries. Fetched with a signed service-account
/// assertion, kept until shortly before it expires, and fetched once for all senders: those that
/// ask while a refresh runs wait for that refresh instead of starting their own.
actor AccessTokenSource {
    private struct AccessToken {
        var value: String
        /// When to fetch the next one: before the expiry, by a tenth of the lifetime, at most 5 minutes.
        var refreshAt: ContinuousClock.Instant
    }

    private let assertion: ServiceAccountAssertion
    private let client: HTTPClient
    private let timeout: Duration
    private var current: AccessToken?
    private var refresh: Task<Result<AccessToken, ChannelFailure>, Never>?

    init(assertion: ServiceAccountAssertion, client: HTTPClient, timeout: Duration) {
        self.assertion = assertion
        self.client = client
        self.timeout = timeout
    }

    /// A token that is valid now; fetches one first when there is none or it is about to expire.
    /// A refused assertion is `.misconfigured`; an unreachable or overloaded token endpoint `.retry`.
    func token() async throws(ChannelFailure) -> String {
        if let current, ContinuousClock.now < current.refreshAt { return current.value }
        let task: Task<Result<AccessToken, ChannelFailure>, Never>
        if let refresh {
            task = refresh
        } else {
            // Unstructured: one sender's cancellation must not cancel the refresh the others wait for.
            task = Task { await self.fetchAndKeep() }
            refresh = task
        }
        return try await task.value.get().value
    }

    /// Forgets `value` when FCM said it is no longer valid (401), so the next send fetches a new one.
    func invalidate(_ value: String) {
        if current?.value == value { current = nil }
    }

    private func fetchAndKeep() async -> Result<AccessToken, ChannelFailure> {
        let result = await fetch()
        if case .success(let token) = result { current = token }
        refresh = nil
        return result
    }

    private nonisolated func fetch() async -> Result<AccessToken, ChannelFailure> {
        let account = assertion.account
        let started = ContinuousClock.now
        let jwt: String
        do {
            jwt = try assertion.jwt(issuedAt: Int(Date().timeIntervalSince1970))
        } catch {
            return .failure(ChannelFailure(.misconfigured, "cannot sign the OAuth assertion of \(account): \(error)"))
        }
        var request = HTTPClientRequest(url: account.tokenURI)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        // The grant type's only reserved characters are ':'; the JWT is base64url and '.'.
        let form = "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Ajwt-bearer&assertion=\(jwt)"
        request.body = .bytes(Array(form.utf8))

        let response: HTTPClientResponse
        let body: [UInt8]
        do {
            response = try await client.execute(request, timeout: TimeAmount(timeout))
            body = try await response.bodyBytes()
        } catch {
            return .failure(ChannelFailure(.retry(afterSeconds: nil), "cannot reach Google's token endpoint \(account.tokenURI): \(error)"))
        }
        let object: JSONObject? = if case .object(let parsed)? = try? JSONParser.parse(body) { parsed } else { nil }
        let status = Int(response.status.code)
        guard status == 200 else {
            let error = object?["error"]?.stringValue
            let detail = [error, object?["error_description"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
            let what = "Google's token endpoint \(account.tokenURI) answered HTTP \(status) for \(account)"
                + (detail.isEmpty ? "" : ": \(detail)")
            if status == 429 || status >= 500 {
                return .failure(ChannelFailure(.retry(afterSeconds: response.retryAfterSeconds), what, providerCode: "HTTP \(status)"))
            }
            // invalid_grant (a wrong or revoked key, a clock far off), invalid_client, unauthorized_client.
            return .failure(ChannelFailure(.misconfigured, what, providerCode: error ?? "HTTP \(status)"))
        }
        guard let value = object?["access_token"]?.stringValue, !value.isEmpty else {
            let what = "Google's token endpoint \(account.tokenURI) answered 200 without an access_token"
            return .failure(ChannelFailure(.retry(afterSeconds: nil), what))
        }
        let lifetime = max(1, Int(object?["expires_in"]?.integerValue ?? 3600))
        let margin = min(300.0, Double(lifetime) / 10)
        return .success(AccessToken(value: value, refreshAt: started + .seconds(Double(lifetime) - margin)))
    }
}
