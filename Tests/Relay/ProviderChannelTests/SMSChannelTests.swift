import Channels
import FlightEdgeTestSupport
import Foundation
import SMSChannel
import Testing

/// SMSChannel against scripts/standins/twilio.py, Twilio's Messages API with its error codes and its
/// signed status callbacks. Serialized: the stand-in's failure control is global.
@Suite(.serialized)
struct SMSChannelTests {
    let standin: ProviderStandin

    init() throws {
        standin = try ProviderStandin.named("twilio")
    }

    @Test func acceptedMessageHasTwiliosSid() async throws {
        let number = Self.number()
        let acceptance = try await withChannel { try await $0.send(Self.sample, to: .sms(number: number)) }
        let sid = try #require(acceptance.providerID)
        #expect(sid.hasPrefix("SM"))
        let record = try await standin.record { $0["sid"] as? String == sid }
        #expect(record["to"] as? String == number)
        #expect(record["from"] as? String == "+15005550006")
        #expect(record["body"] as? String == Self.sample.text)
    }

    @Test func longTextIsCutToTwiliosLimit() async throws {
        let number = Self.number()
        var message = Self.sample
        message.text = String(repeating: "Gate change. ", count: 200)
        let acceptance = try await withChannel { try await $0.send(message, to: .sms(number: number)) }
        let record = try await standin.record { $0["sid"] as? String == acceptance.providerID }
        let body = try #require(record["body"] as? String)
        #expect(body.count == SMSChannel.maximumBodyLength)
        #expect(body.hasPrefix("Gate change. Gate change."))
    }

    @Test func recipientWhoRepliedStopIsGone() async throws {
        let number = Self.number()
        try standin.post("/_stop", json: #"{"number": "\#(number)"}"#)
        let failure = try await sendFailure(to: number)
        #expect(failure.disposition == .contactGone)
        #expect(failure.providerCode == "21610")
    }

    @Test func invalidNumberIsFinal() async throws {
        let failure = try await sendFailure(to: "0791234567")
        #expect(failure.disposition == .final)
        #expect(failure.providerCode == "21211")
    }

    @Test func wrongAuthTokenIsMisconfigured() async throws {
        let failure = try await sendFailure(to: Self.number(), authToken: "not-the-secret")
        #expect(failure.disposition == .misconfigured)
        #expect(failure.providerCode == "20003")
    }

    @Test func serverErrorIsRetried() async throws {
        try standin.control(
            #"{"mode": "status", "status": 500, "count": 1, "body": {"code": 20500, "message": "Internal Server Error", "status": 500}}"#)
        let failure = try await sendFailure(to: Self.number())
        #expect(failure.disposition == .retry(afterSeconds: nil))
    }

    @Test func tooManyRequestsIsRetriedAfterRetryAfter() async throws {
        try standin.control(
            #"""
            {"mode": "status", "status": 429, "count": 1, "retry_after": 4,
             "body": {"code": 20429, "message": "Too Many Requests", "status": 429}}
            """#)
        let failure = try await sendFailure(to: Self.number())
        #expect(failure.disposition == .retry(afterSeconds: 4))
        #expect(failure.providerCode == "20429")
    }

    @Test func statusCallbackSignatureVerifiesAndATamperedOneDoesNot() async throws {
        // Nobody listens on the port: the stand-in records the callback it signed and could not deliver.
        let callbackURL = "http://127.0.0.1:\(try Loopback.freePort())/v1/callbacks/twilio"
        let acceptance = try await withChannel(statusCallbackURL: callbackURL) {
            try await $0.send(Self.sample, to: .sms(number: Self.number()))
        }
        let sid = try #require(acceptance.providerID)
        let callback = try await standin.record {
            $0["kind"] as? String == "callback" && ($0["params"] as? [String: String])?["MessageSid"] == sid
        }
        #expect(callback["url"] as? String == callbackURL)
        let signature = try #require(callback["signature"] as? String)
        let parameters = try #require(callback["params"] as? [String: String]).map { (name: $0.key, value: $0.value) }
        #expect(parameters.contains { $0.name == "MessageStatus" && $0.value == "delivered" })

        let verifier = TwilioSignature(authToken: "twilio-secret")
        #expect(verifier.isValid(signature, url: callbackURL, parameters: parameters))
        #expect(verifier.compute(url: callbackURL, parameters: parameters.shuffled()) == signature)
        let tampered = parameters.map { $0.name == "MessageStatus" ? (name: $0.name, value: "failed") : $0 }
        #expect(!verifier.isValid(signature, url: callbackURL, parameters: tampered))
        #expect(!verifier.isValid(signature, url: callbackURL + "?x=1", parameters: parameters))
        #expect(!TwilioSignature(authToken: "another-token").isValid(signature, url: callbackURL, parameters: parameters))
    }

    @Test("a lost attempt's lookup finds the message with the same text to the same number, made since the given time")
    func lookupFindsTheSameTextOnly() async throws {
        let number = Self.number()
        let started = Date().timeIntervalSince1970
        let found = try await withChannel { channel in
            let sid = try #require(try await channel.send(Self.sample, to: .sms(number: number)).providerID)
            var other = Self.sample
            other.text = "LX 1234 to London: boarding now at B14."
            _ = try await channel.send(other, to: .sms(number: number))
            _ = try await channel.send(Self.sample, to: .sms(number: Self.number()))
            func copies(to number: String, since: Double, until: Double) async throws -> [String] {
                try await channel.acceptedCopies(of: Self.sample, to: .sms(number: number), since: since, until: until)
            }
            return (
                sid, try await copies(to: number, since: started - 2, until: started + 60),
                try await copies(to: number, since: started + 60, until: started + 120),
                try await copies(to: number, since: started - 60, until: started - 2),
                try await copies(to: Self.number(), since: started - 2, until: started + 60)
            )
        }
        #expect(found.1 == [found.0], "the one message of that text to that number")
        #expect(found.2.isEmpty, "none made after the window")
        #expect(found.3.isEmpty, "none made before it")
        #expect(found.4.isEmpty, "none to another number")
    }

    @Test("the lookup pages through Twilio's list past the first 100 messages")
    func lookupPagesThroughTheList() async throws {
        let number = Self.number()
        let started = Date().timeIntervalSince1970
        let (sid, copies) = try await withChannel { channel in
            let sid = try #require(try await channel.send(Self.sample, to: .sms(number: number)).providerID)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<120 {
                    group.addTask {
                        var later = Self.sample
                        later.text = "Update \(index)"
                        _ = try await channel.send(later, to: .sms(number: number))
                    }
                }
                try await group.waitForAll()
            }
            let copies = try await channel.acceptedCopies(
                of: Self.sample, to: .sms(number: number), since: started - 2, until: started + 60)
            return (sid, copies)
        }
        #expect(copies == [sid])
    }

    @Test("a lookup Twilio cannot answer is a retry, never an empty answer")
    func lookupFailureIsARetry() async throws {
        try standin.control(#"{"mode": "status", "status": 503, "count": 1, "path": "/2010-04-01/Accounts/ACtest/Messages.json?"}"#)
        let failure = try await withChannel { channel in
            await #expect(throws: ChannelFailure.self) {
                try await channel.acceptedCopies(
                    of: Self.sample, to: .sms(number: Self.number()), since: 0, until: Date().timeIntervalSince1970)
            }
        }
        #expect(failure?.disposition == .retry(afterSeconds: nil))
    }

    @Test("a list page that is no message list, or that points its next page at another host, is a retry: no answer, no credentials sent away")
    func lookupRefusesAnUnreadableOrOffHostPage() async throws {
        let now = Date()
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss Z"
        let page = #"{"messages": [{"sid": "SMother", "body": "another text", "date_created": "\#(formatter.string(from: now))"}], "#
            + #""next_page_uri": "https://elsewhere.example/2010-04-01/Accounts/ACtest/Messages.json?Page=1"}"#
        let list = "/2010-04-01/Accounts/ACtest/Messages.json?"
        for (body, expected) in [(page, "points its next page elsewhere"), (#"["not", "a", "page"]"#, "no JSON object with a messages array")] {
            try standin.control(#"{"mode": "status", "status": 200, "count": 1, "path": "\#(list)", "body": \#(body)}"#)
            let failure = try await withChannel { channel in
                await #expect(throws: ChannelFailure.self) {
                    try await channel.acceptedCopies(
                        of: Self.sample, to: .sms(number: Self.number()), since: now.timeIntervalSince1970 - 60,
                        until: now.timeIntervalSince1970 + 60)
                }
            }
            #expect(failure?.disposition == .retry(afterSeconds: nil))
            #expect(failure?.message.contains(expected) == true, "\(String(describing: failure))")
        }
    }

    @Test func throughputOfConcurrentSends() async throws {
        let numbers = (0..<50).map { _ in Self.number() }
        let started = ContinuousClock.now
        let sids = try await withChannel { channel in
            try await withThrowingTaskGroup(of: String?.self) { group in
                for number in numbers { group.addTask { try await channel.send(Self.sample, to: .sms(number: number)).providerID } }
                return try await group.reduce(into: [String]()) { if let sid = $1 { $0.append(sid) } }
            }
        }
        let elapsed = ContinuousClock.now - started
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("SMS: \(numbers.count) sends in \(elapsed), \(Int(Double(numbers.count) / max(seconds, 0.001))) messages/s")
        #expect(Set(sids).count == numbers.count)
    }

    // MARK: Helpers

    static let sample = OutgoingMessage(
        deliveryID: "d-2", replaceKey: "LX1234-20261124-gate", subject: "LX 1234",
        text: "LX 1234 to London: new gate B14, boarding 13:55.")

    /// A Swiss mobile number no other test uses.
    static func number() -> String { "+4179" + String(format: "%07d", Int.random(in: 0..<10_000_000)) }

    func withChannel<Result>(
        authToken: String = "twilio-secret", statusCallbackURL: String? = nil, _ body: (SMSChannel) async throws -> Result
    ) async throws -> Result {
        let channel = try SMSChannel(
            settings: .init(
                baseURL: standin.baseURL, accountSID: "ACtest", authToken: authToken, from: "+15005550006",
                statusCallbackURL: statusCallbackURL, trustedCAFile: standin.caFile, timeout: .seconds(10)))
        do {
            let result = try await body(channel)
            await channel.shutdown()
            return result
        } catch {
            await channel.shutdown()
            throw error
        }
    }

    func sendFailure(to number: String, authToken: String = "twilio-secret") async throws -> ChannelFailure {
        let failure = try await withChannel(authToken: authToken) { channel in
            await #expect(throws: ChannelFailure.self) { try await channel.send(Self.sample, to: .sms(number: number)) }
        }
        return try #require(failure)
    }
}
