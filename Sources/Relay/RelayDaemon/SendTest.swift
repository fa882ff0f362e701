import Channels
import Configuration
import Foundation
import JSON

/// `flightedge-relay send-test`: one test notification through one channel, to prove its
/// credentials and reachability in one command.
public enum SendTest {
    /// Why the test could not be sent, in words an operator can act on.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Sends the test message; returns the provider's id for it (or "accepted").
    public static func send(config: RelayConfig, channel name: String, to address: String) async throws -> String {
        guard let kind = ChannelKind(rawValue: name) else {
            throw Failure(description: "unknown channel \"\(name)\" (expected email, sms, fcm or webpush)")
        }
        let set = try ChannelSet(config: config)
        defer { Task { await set.shutdown() } }
        guard let channel = set.channels.first(where: { $0.kind == kind }) else {
            throw Failure(description: "channel \(name) is not configured (its table is missing from the configuration)")
        }
        let contact = try contactPoint(kind, address)
        let stamp = Int(Date().timeIntervalSince1970)
        let message = OutgoingMessage(
            deliveryID: "send-test-\(stamp)-\(ProcessInfo.processInfo.processIdentifier)", replaceKey: "send-test",
            subject: "FlightEdge test notification",
            text: "This is a test notification from flightedge-relay: the \(name) channel works.",
            html: "<p>This is a test notification from <b>flightedge-relay</b>: the \(name) channel works.</p>",
            link: config.http.publicURL, urgency: .normal, timeToLiveSeconds: 600)
        do {
            let acceptance = try await channel.send(message, to: contact)
            await set.shutdown()
            return acceptance.providerID ?? "accepted"
        } catch {
            await set.shutdown()
            throw Failure(description: "\(name): \(error)")
        }
    }

    static func contactPoint(_ kind: ChannelKind, _ address: String) throws -> ContactPoint {
        switch kind {
        case .email:
            guard SubscriptionRequest.isEmail(address) else { throw Failure(description: "--to: not an e-mail address") }
            return .email(address: address)
        case .sms:
            guard SubscriptionRequest.isE164(address) else { throw Failure(description: "--to: not an E.164 number (+41…)") }
            return .sms(number: address)
        case .fcm:
            return .fcm(token: address)
        case .webpush:
            guard case .object(let object)? = try? JSONParser.parse(Array(address.utf8)),
                let endpoint = object["endpoint"]?.stringValue, case .object(let keys)? = object["keys"],
                let p256dh = keys["p256dh"]?.stringValue, let auth = keys["auth"]?.stringValue
            else {
                throw Failure(description: "--to: expected the subscription JSON {\"endpoint\", \"keys\": {\"p256dh\", \"auth\"}}")
            }
            return .webpush(WebPushSubscription(endpoint: endpoint, p256dh: p256dh, auth: auth))
        }
    }
}
