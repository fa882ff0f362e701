import Channels
import FlightEdgeTestSupport
import JSON
import Testing
import WebPushChannel

/// What the Web Push channel tests share: subscriptions from the stand-in, its records, a channel
/// that is shut down after each use, and the message they send.
extension WebPushChannelTests {
    /// A new subscription of the stand-in: its id and the contact the relay would store.
    func subscribe() throws -> (String, WebPushSubscription) {
        let json = try JSONParser.parse(try standin.subscribe())
        guard case .object(let object) = json, let endpoint = object["endpoint"]?.stringValue,
            case .object(let keys) = object["keys"], let p256dh = keys["p256dh"]?.stringValue,
            let auth = keys["auth"]?.stringValue, let id = endpoint.split(separator: "/").last
        else { throw StandinAnswerError(text: "unexpected /_subscribe answer: \(json)") }
        return (String(id), WebPushSubscription(endpoint: endpoint, p256dh: p256dh, auth: auth))
    }

    /// What the stand-in decrypted for subscription `id`, oldest first.
    func received(for id: String) throws -> [JSONObject] {
        try standin.receivedLines().compactMap { line in
            guard case .object(let record) = try JSONParser.parse(Array(line.utf8)),
                record["subscription"]?.stringValue == id
            else { return nil }
            return record
        }
    }

    /// Runs `body` with a new channel and shuts the channel down afterwards.
    func withChannel<Result: Sendable>(
        settings: WebPushChannel.Settings? = nil, _ body: (WebPushChannel) async throws -> Result
    ) async throws -> Result {
        let channel = try WebPushChannel(settings: settings ?? self.settings)
        do {
            let result = try await body(channel)
            await channel.shutdown()
            return result
        } catch {
            await channel.shutdown()
            throw error
        }
    }

    /// The failure of one send, or nil (recorded as an issue) when it was accepted.
    func sendFailure(
        _ message: OutgoingMessage, to subscription: WebPushSubscription, settings: WebPushChannel.Settings? = nil
    ) async -> ChannelFailure? {
        let channel: WebPushChannel
        do {
            channel = try WebPushChannel(settings: settings ?? self.settings)
        } catch {
            Issue.record("the channel could not be set up: \(error)")
            return nil
        }
        var failure: ChannelFailure?
        do {
            let acceptance = try await channel.send(message, to: .webpush(subscription))
            Issue.record("expected a failure, the push service accepted it as \(acceptance.providerID ?? "-")")
        } catch {
            failure = error
        }
        await channel.shutdown()
        return failure
    }

    static func message(
        text: String = "LX 1234 now departs from gate B12", urgency: OutgoingMessage.Urgency = .normal, ttl: Int = 3600
    ) -> OutgoingMessage {
        OutgoingMessage(
            deliveryID: "d-\(text.hashValue)", replaceKey: "LX1234/2026-11-24/gate-change", subject: "Gate change: LX 1234",
            text: text, link: "https://relay.example.org/s/abc", urgency: urgency, timeToLiveSeconds: ttl)
    }
}

/// The stand-in answered something the tests cannot read.
struct StandinAnswerError: Error, CustomStringConvertible {
    var text: String
    var description: String { text }
}
