import Channels
import Crypto
import FlightEdgeTestSupport
import Foundation
import JSON
import Testing
import WebPushChannel

/// The channel against the Web Push stand-in, which verifies VAPID and decrypts every message with
/// http_ece (an implementation independent of ours), as a browser would. Serialized: the failure
/// modes are the stand-in's, shared by every request.
@Suite(.serialized) struct WebPushChannelTests {
    let standin: WebPushStandin
    let settings: WebPushChannel.Settings

    init() throws {
        standin = try WebPushStandin()
        settings = WebPushChannel.Settings(
            vapidPrivateKey: P256.Signing.PrivateKey().pemRepresentation, subject: "mailto:ops@flightedge.example",
            trustedCAFile: standin.caFile, maxConcurrent: 16, requestTimeoutSeconds: 10)
    }

    @Test func messageDecryptsToExactlyTheJSONSent() async throws {
        let (id, subscription) = try subscribe()
        let message = Self.message(text: "LX 1234 to Zürich now boards at gate B12 → A3 ✈ \"quoted\"")
        let acceptance = try await withChannel { try await $0.send(message, to: .webpush(subscription)) }

        #expect(acceptance.providerID?.hasPrefix("\(standin.origin)/message/") == true)
        let record = try #require(try received(for: id).last)
        #expect(record["plaintext_text"]?.stringValue == String(decoding: WebPushPayload.json(for: message), as: UTF8.self))
        guard case .object(let plaintext) = record["plaintext"] else { Issue.record("no decrypted JSON: \(record)"); return }
        #expect(plaintext["title"]?.stringValue == message.subject)
        #expect(plaintext["body"]?.stringValue == message.text)
        #expect(plaintext["url"]?.stringValue == message.link)
        #expect(plaintext["tag"]?.stringValue == message.replaceKey)
        #expect(plaintext["id"]?.stringValue == message.deliveryID, "the service worker tells a repeat by it")
    }

    @Test func vapidIsAcceptedAndTTLUrgencyTopicArrive() async throws {
        let (id, subscription) = try subscribe()
        let message = Self.message(urgency: .high, ttl: 5400)
        _ = try await withChannel { try await $0.send(message, to: .webpush(subscription)) }

        let record = try #require(try received(for: id).last)
        #expect(record["vapid_sub"]?.stringValue == settings.subject)
        #expect(record["aud"]?.stringValue == standin.origin)
        let exp = try #require(record["exp"]?.integerValue)
        let now = Int64(Date().timeIntervalSince1970)
        #expect(exp > now + 11 * 3600 && exp <= now + 12 * 3600 + 60)
        #expect(record["ttl"]?.integerValue == 5400)
        #expect(record["urgency"]?.stringValue == "high")
        let topic = try #require(record["topic"]?.stringValue)
        #expect(topic == WebPushPayload.topic(forReplaceKey: message.replaceKey))
        #expect(topic.count <= 32 && topic.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") })
    }

    @Test func unsubscribedBrowserIsContactGone() async throws {
        let (id, subscription) = try subscribe()
        try standin.unsubscribe(id)
        let failure = await sendFailure(Self.message(), to: subscription)
        #expect(failure?.disposition == .contactGone)
        #expect(failure?.providerCode == "HTTP 410")
    }

    /// The subscription's own path at the stand-in: rules scoped to it leave other tests' pushes
    /// alone (the relay's end-to-end test runs an outage on the same stand-in meanwhile).
    static func path(of subscription: WebPushSubscription) -> String {
        URL(string: subscription.endpoint)?.path ?? "/"
    }

    @Test func tooManyRequestsIsRetryAfterItsRetryAfter() async throws {
        let (_, subscription) = try subscribe()
        try standin.control(#"{"path": "\#(Self.path(of: subscription))", "mode": "status", "status": 429, "retry_after": 2, "count": 1}"#)
        let failure = await sendFailure(Self.message(), to: subscription)
        #expect(failure?.disposition == .retry(afterSeconds: 2))
        #expect(failure?.providerCode == "HTTP 429")
    }

    @Test func serviceUnavailableIsRetry() async throws {
        let (_, subscription) = try subscribe()
        try standin.control(#"{"path": "\#(Self.path(of: subscription))", "mode": "status", "status": 503, "count": 1}"#)
        let failure = await sendFailure(Self.message(), to: subscription)
        #expect(failure?.disposition == .retry(afterSeconds: nil))
        #expect(failure?.providerCode == "HTTP 503")
    }

    @Test func droppedConnectionIsRetry() async throws {
        let (_, subscription) = try subscribe()
        try standin.control(#"{"path": "\#(Self.path(of: subscription))", "mode": "drop", "count": 1}"#)
        let failure = await sendFailure(Self.message(), to: subscription)
        #expect(failure?.disposition == .retry(afterSeconds: nil))
        #expect(failure?.providerCode == nil)
    }

    @Test func slowAnswerPastTheTimeoutIsRetry() async throws {
        let (_, subscription) = try subscribe()
        try standin.control(#"{"path": "\#(Self.path(of: subscription))", "mode": "slow", "delay": 3, "count": 1}"#)
        var quick = settings
        quick.requestTimeoutSeconds = 1
        let failure = await sendFailure(Self.message(), to: subscription, settings: quick)
        #expect(failure?.disposition == .retry(afterSeconds: nil))
    }

    /// The stand-in checks `aud` against its own origin: the same service reached as `localhost`
    /// gets a token for another origin, as a key meant for another service would be.
    @Test func vapidForAnotherOriginIsMisconfigured() async throws {
        let (_, subscription) = try subscribe()
        var elsewhere = subscription
        elsewhere.endpoint = subscription.endpoint.replacingOccurrences(of: "https://127.0.0.1:", with: "https://localhost:")
        let failure = await sendFailure(Self.message(), to: elsewhere)
        #expect(failure?.disposition == .misconfigured)
        #expect(failure?.providerCode == "HTTP 403")
    }

    /// Keys of another browser: the stand-in cannot decrypt, answers 400, and the message is final.
    @Test func messageEncryptedForOtherKeysIsRefusedAsFinal() async throws {
        let (_, subscription) = try subscribe()
        let (_, other) = try subscribe()
        let mixed = WebPushSubscription(endpoint: subscription.endpoint, p256dh: other.p256dh, auth: other.auth)
        let failure = await sendFailure(Self.message(), to: mixed)
        #expect(failure?.disposition == .final)
        #expect(failure?.providerCode == "HTTP 400")
    }

    @Test(arguments: [
        (401, ChannelFailure.Disposition.misconfigured), (403, .misconfigured), (404, .contactGone), (400, .final),
        (413, .final), (500, .retry(afterSeconds: nil)), (502, .retry(afterSeconds: nil)),
    ])
    func pushServiceAnswersMapToDispositions(status: Int, disposition: ChannelFailure.Disposition) async throws {
        let (_, subscription) = try subscribe()
        try standin.control(#"{"path": "\#(Self.path(of: subscription))", "mode": "status", "status": \#(status), "count": 1}"#)
        let failure = await sendFailure(Self.message(), to: subscription)
        #expect(failure?.disposition == disposition)
        #expect(failure?.providerCode == "HTTP \(status)")
    }

    @Test func unusableSubscriptionsAreContactGoneWithoutARequest() async throws {
        let (_, subscription) = try subscribe()
        var plainHTTP = subscription
        plainHTTP.endpoint = subscription.endpoint.replacingOccurrences(of: "https:", with: "http:")
        #expect(await sendFailure(Self.message(), to: plainHTTP)?.disposition == .contactGone)
        var badKey = subscription
        badKey.p256dh = "BAAA"
        #expect(await sendFailure(Self.message(), to: badKey)?.disposition == .contactGone)
    }

    @Test func untrustedCertificateIsNotSentTo() async throws {
        let (id, subscription) = try subscribe()
        var systemCAsOnly = settings
        systemCAsOnly.trustedCAFile = nil
        let failure = await sendFailure(Self.message(), to: subscription, settings: systemCAsOnly)
        #expect(failure?.disposition == .retry(afterSeconds: nil))
        #expect(failure?.message.contains("CERTIFICATE_VERIFY_FAILED") == true)
        #expect(try received(for: id).isEmpty)
    }

    @Test func setupRefusesAMissingCAFileAndExposesTheApplicationServerKey() async throws {
        var missing = settings
        missing.trustedCAFile = "/nonexistent/ca.pem"
        let error = #expect(throws: WebPushSetupError.self) { try WebPushChannel(settings: missing) }
        #expect(error?.code == .invalidCAFile)
        #expect(!settings.description.contains("PRIVATE"))

        let key = try await withChannel { $0.applicationServerKey }
        #expect(key == (try VAPID(privateKey: settings.vapidPrivateKey, subject: settings.subject).publicKey))
        #expect(Base64URL.decode(key)?.count == 65)
    }

    @Test func hundredConcurrentMessagesAreAllDecrypted() async throws {
        let subscriptions = try (0..<10).map { _ in try subscribe() }
        let count = 100
        let started = ContinuousClock.now
        let accepted = try await withChannel { channel in
            try await withThrowingTaskGroup(of: ProviderAcceptance.self) { group in
                for index in 0..<count {
                    group.addTask {
                        try await channel.send(Self.message(text: "message \(index)"), to: .webpush(subscriptions[index % 10].1))
                    }
                }
                return try await group.reduce(into: [ProviderAcceptance]()) { $0.append($1) }
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("webpush: \(count) messages encrypted, sent and decrypted in \(elapsed) (\(Int(Double(count) / seconds)) msg/s)")

        #expect(Set(accepted.compactMap(\.providerID)).count == count)
        var texts: Set<String> = []
        for (id, _) in subscriptions {
            for record in try received(for: id) {
                if case .object(let plaintext) = record["plaintext"], let body = plaintext["body"]?.stringValue { texts.insert(body) }
            }
        }
        #expect(texts == Set((0..<count).map { "message \($0)" }))
    }
}
