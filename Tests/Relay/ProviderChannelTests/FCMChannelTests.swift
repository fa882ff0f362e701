import Channels
import FCMChannel
import FlightEdgeTestSupport
import Foundation
import Testing

/// FCMChannel against scripts/standins/fcm.py: Google's OAuth token endpoint and FCM HTTP v1, both
/// checking what they get (the assertion's RS256 signature and claims, the bearer token's life, the
/// message's shape). Serialized: the stand-in's failure control and token lifetime are global.
@Suite(.serialized)
struct FCMChannelTests {
    let standin: ProviderStandin

    init() throws {
        standin = try ProviderStandin.named("fcm")
    }

    @Test func messageArrivesWithTextCollapseKeysAndPriority() async throws {
        let token = Self.registrationToken()
        let message = OutgoingMessage(
            deliveryID: "d-4711", replaceKey: "LX1234-20261124-gate", subject: "LX 1234: new gate",
            text: "Your flight LX 1234 to London now boards at gate B14.", link: "https://relay.example.org/m/abc",
            urgency: .high, timeToLiveSeconds: 3600)
        let acceptance = try await withChannel { try await $0.send(message, to: .fcm(token: token)) }

        let record = try await standin.record { Self.message(of: $0)?["token"] as? String == token }
        let sent = try #require(Self.message(of: record))
        #expect(acceptance.providerID == record["name"] as? String)
        #expect(acceptance.providerID?.hasPrefix("projects/flightedge-standin/messages/") == true)
        let notification = try #require(sent["notification"] as? [String: Any])
        #expect(notification["title"] as? String == "LX 1234: new gate")
        #expect(notification["body"] as? String == "Your flight LX 1234 to London now boards at gate B14.")
        let android = try #require(sent["android"] as? [String: Any])
        #expect(android["collapse_key"] as? String == "LX1234-20261124-gate")
        #expect((android["notification"] as? [String: Any])?["tag"] as? String == "LX1234-20261124-gate")
        #expect(android["priority"] as? String == "high")
        #expect(android["ttl"] as? String == "3600s")
        let apns = try #require((sent["apns"] as? [String: Any])?["headers"] as? [String: Any])
        #expect(apns["apns-collapse-id"] as? String == "LX1234-20261124-gate")
        #expect(apns["apns-priority"] as? String == "10")
        let webpush = try #require((sent["webpush"] as? [String: Any])?["headers"] as? [String: Any])
        #expect(webpush["Topic"] as? String == "LX1234-20261124-gate")
        #expect(webpush["Urgency"] as? String == "high")
        #expect((sent["data"] as? [String: Any])?["delivery_id"] as? String == "d-4711")
    }

    @Test func secondSendWithinTheTokensLifeAsksForNoNewToken() async throws {
        let tokens = [Self.registrationToken(), Self.registrationToken()]
        try await withChannel { channel in
            for token in tokens { _ = try await channel.send(Self.sample, to: .fcm(token: token)) }
        }
        let bearers = try bearers(of: tokens)
        #expect(bearers[0] == bearers[1])
        #expect(try issuedTokens().filter { $0 == bearers[0] }.count == 1)
    }

    @Test func concurrentSendersShareOneTokenRequest() async throws {
        let tokens = (0..<40).map { _ in Self.registrationToken() }
        let started = ContinuousClock.now
        try await withChannel { channel in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for token in tokens { group.addTask { _ = try await channel.send(Self.sample, to: .fcm(token: token)) } }
                try await group.waitForAll()
            }
        }
        let elapsed = ContinuousClock.now - started
        print("FCM: \(tokens.count) sends with one token request in \(elapsed), \(Self.rate(tokens.count, elapsed)) messages/s")
        #expect(Set(try bearers(of: tokens)).count == 1)
    }

    @Test func shortLivedTokenIsRefreshedBeforeTheNextSend() async throws {
        try standin.post("/_token_ttl", json: #"{"seconds": 3}"#)
        defer { _ = try? standin.post("/_token_ttl", json: #"{"seconds": 3600}"#) }
        let tokens = [Self.registrationToken(), Self.registrationToken(), Self.registrationToken()]
        try await withChannel { channel in
            _ = try await channel.send(Self.sample, to: .fcm(token: tokens[0]))
            _ = try await channel.send(Self.sample, to: .fcm(token: tokens[1]))
            try await Task.sleep(for: .seconds(3))
            // The stand-in answers 401 to the first token now: the channel must not try it.
            _ = try await channel.send(Self.sample, to: .fcm(token: tokens[2]))
        }
        let bearers = try bearers(of: tokens)
        #expect(bearers[0] == bearers[1])
        #expect(bearers[2] != bearers[0])
        #expect(try issuedTokens().contains(bearers[2]))
    }

    @Test func refusedAccessTokenIsDroppedAndReplacedOnTheNextAttempt() async throws {
        let tokens = [Self.registrationToken(), Self.registrationToken(), Self.registrationToken()]
        let failure = try await withChannel { channel in
            _ = try await channel.send(Self.sample, to: .fcm(token: tokens[0]))
            try standin.post("/_revoke", json: #"{"access_token": "\#(try bearer(of: tokens[0]))"}"#)
            let failure = await #expect(throws: ChannelFailure.self) { try await channel.send(Self.sample, to: .fcm(token: tokens[1])) }
            _ = try await channel.send(Self.sample, to: .fcm(token: tokens[2]))
            return failure
        }
        #expect(failure?.disposition == .retry(afterSeconds: nil))
        #expect(failure?.providerCode == "UNAUTHENTICATED")
        let bearers = try bearers(of: [tokens[0], tokens[2]])
        #expect(bearers[0] != bearers[1])
    }

    @Test func unregisteredTokenMeansTheContactIsGone() async throws {
        let token = Self.registrationToken()
        try standin.post("/_unregister", json: #"{"token": "\#(token)"}"#)
        let failure = try await sendFailure(to: token)
        #expect(failure.disposition == .contactGone)
        #expect(failure.providerCode == "UNREGISTERED")
    }

    @Test func quotaExceededIsRetriedAfterRetryAfter() async throws {
        let failure = try await sendFailure(
            afterControl: #"""
                {"mode": "status", "status": 429, "count": 1, "retry_after": 7, "body": {"error": {"code": 429,
                 "status": "RESOURCE_EXHAUSTED", "message": "Quota exceeded",
                 "details": [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": "QUOTA_EXCEEDED"}]}}}
                """#)
        #expect(failure.disposition == .retry(afterSeconds: 7))
        #expect(failure.providerCode == "QUOTA_EXCEEDED")
    }

    @Test func unavailableIsRetried() async throws {
        let failure = try await sendFailure(
            afterControl: #"{"mode": "status", "status": 503, "count": 1, "body": {"error": {"code": 503, "status": "UNAVAILABLE"}}}"#)
        #expect(failure.disposition == .retry(afterSeconds: nil))
        #expect(failure.providerCode == "UNAVAILABLE")
    }

    @Test func droppedConnectionIsRetried() async throws {
        let failure = try await sendFailure(afterControl: #"{"mode": "drop", "count": 1}"#)
        #expect(failure.disposition == .retry(afterSeconds: nil))
    }

    @Test func serviceAccountWithAnotherKeyIsMisconfigured() async throws {
        let failure = try await withChannel(accountFile: "service-account-foreign.json") { channel in
            await #expect(throws: ChannelFailure.self) {
                try await channel.send(Self.sample, to: .fcm(token: Self.registrationToken()))
            }
        }
        #expect(failure?.disposition == .misconfigured)
        #expect(failure?.providerCode == "invalid_grant")
    }

    // MARK: Helpers

    static let sample = OutgoingMessage(
        deliveryID: "d-1", replaceKey: "LX1234-20261124-delay", subject: "LX 1234 delayed", text: "Now departing 14:35.")

    static func registrationToken() -> String { "test-" + UUID().uuidString }

    static func message(of record: [String: Any]) -> [String: Any]? {
        record["kind"] as? String == "message" ? record["message"] as? [String: Any] : nil
    }

    static func rate(_ count: Int, _ elapsed: Duration) -> Int {
        Int(Double(count) / max(0.001, Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18))
    }

    /// A channel on the stand-in with one of its service account files, shut down afterwards.
    func withChannel<Result>(
        accountFile: String = "service-account.json", _ body: (FCMChannel) async throws -> Result
    ) async throws -> Result {
        let channel = try FCMChannel(
            settings: .init(
                serviceAccountJSON: try standin.file(accountFile), baseURL: standin.baseURL, trustedCAFile: standin.caFile,
                timeout: .seconds(10)))
        do {
            let result = try await body(channel)
            await channel.shutdown()
            return result
        } catch {
            await channel.shutdown()
            throw error
        }
    }

    /// The failure of a send on a channel that holds a token already, after the stand-in was told `control`.
    func sendFailure(
        afterControl control: String? = nil, to token: String = FCMChannelTests.registrationToken()
    ) async throws -> ChannelFailure {
        let failure = try await withChannel { channel in
            _ = try await channel.send(Self.sample, to: .fcm(token: Self.registrationToken()))
            if let control { try standin.control(control) }
            return await #expect(throws: ChannelFailure.self) { try await channel.send(Self.sample, to: .fcm(token: token)) }
        }
        return try #require(failure)
    }

    /// The bearer token the message to `registrationToken` came with.
    func bearer(of registrationToken: String) throws -> String {
        try bearers(of: [registrationToken])[0]
    }

    /// The bearer tokens the messages to `registrationTokens` came with, in their order.
    func bearers(of registrationTokens: [String]) throws -> [String] {
        var bearers: [String: String] = [:]
        for record in try standin.received() {
            if let token = Self.message(of: record)?["token"] as? String { bearers[token] = record["bearer"] as? String }
        }
        return try registrationTokens.map { try #require(bearers[$0], "no message to \($0) recorded") }
    }

    /// Every access token the stand-in issued.
    func issuedTokens() throws -> [String] {
        try standin.received().filter { $0["kind"] as? String == "token" }.compactMap { $0["access_token"] as? String }
    }
}
