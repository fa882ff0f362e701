import MQTT
import MQTTWire
import Publisher
import Synchronization

/// A broker link without a broker: it records what the publisher publishes and subscribes to,
/// and the test plays the network thread, sending CONNACKs, disconnects, PUBACKs and messages.
final class FakeBrokerLink: PublisherLink {
    /// One message the publisher handed to the link.
    struct Publish: Sendable, CustomStringConvertible {
        var messageID: Int32
        var topic: String
        var payload: [UInt8]
        var qos: Int
        var retain: Bool
        var properties: MQTTWire.MQTTPublishProperties?

        var text: String { String(decoding: payload, as: UTF8.self) }
        var userProperties: [String: String] {
            Dictionary((properties?.userProperties ?? []).map { ($0.name, $0.value) }) { first, _ in first }
        }
        var description: String { "#\(messageID) \(topic) \(text)" }
    }

    struct Traffic: Sendable {
        var publishes: [Publish] = []
        var subscriptions: [(filter: String, qos: Int)] = []
        /// The events the publisher took from the stream, in order.
        var observed: [MQTTEvent] = []
        var nextMessageID: Int32 = 1
        /// While true, `publish` throws as a client with nothing to queue on does.
        var refusesToQueue = false
    }

    let events: AsyncStream<MQTTEvent>
    private let continuation: AsyncStream<MQTTEvent>.Continuation
    let traffic = Recorded(Traffic())
    private let version: Mutex<MQTTClient.ProtocolVersion>

    init(protocolVersion: MQTTClient.ProtocolVersion = .v5) {
        (events, continuation) = AsyncStream.makeStream(of: MQTTEvent.self)
        version = Mutex(protocolVersion)
    }

    // MARK: PublisherLink

    var protocolVersion: MQTTClient.ProtocolVersion { version.withLock { $0 } }

    func observe(_ event: MQTTEvent) -> Bool {
        traffic.update { $0.observed.append(event) }
        if case .connected(code: 0, _) = event { return true }
        return false
    }

    func publish(
        topic: String, payload: [UInt8], qos: Int, retain: Bool, properties: MQTTWire.MQTTPublishProperties?
    ) throws(MQTTError) -> Int32 {
        let messageID = traffic.update { traffic -> Int32? in
            guard !traffic.refusesToQueue else { return nil }
            let messageID = traffic.nextMessageID
            traffic.nextMessageID += 1
            traffic.publishes.append(
                Publish(messageID: messageID, topic: topic, payload: payload, qos: qos, retain: retain, properties: properties))
            return messageID
        }
        guard let messageID else { throw MQTTError(code: .notConnected, message: "the fake link refuses to queue", libraryCode: 4) }
        return messageID
    }

    func subscribe(_ filter: String, qos: Int) throws(MQTTError) {
        traffic.update { $0.subscriptions.append((filter, qos)) }
    }

    // MARK: The network thread, played by the test

    /// A successful CONNACK.
    func connect() { continuation.yield(.connected(code: 0, reason: "success")) }

    /// The connection drops (the link reconnects on its own).
    func dropConnection() { continuation.yield(.disconnected(code: 7, reason: "the connection was lost")) }

    /// The PUBACK of `messageID`; a `reasonCode` of 0x80 or more refuses the publish.
    func acknowledge(_ messageID: Int32, reasonCode: Int32 = 0) {
        continuation.yield(.published(messageID: messageID, reasonCode: reasonCode))
    }

    /// The PUBACKs of one read, together, as the batching link reports them.
    func acknowledge(all messageIDs: [Int32], reasonCode: Int32 = 0) {
        continuation.yield(.publishedMany(messageIDs.map { ($0, reasonCode) }))
    }

    /// A message arrives on a subscription.
    func deliver(topic: String, payload: String = "{}") {
        continuation.yield(.message(MQTTMessage(topic: topic, payload: Array(payload.utf8))))
    }

    /// The link stops: the publisher's `run()` returns.
    func finish() { continuation.finish() }

    // MARK: What the test looks at

    /// Waits until the publisher has taken `count` events from the stream. It handles each
    /// without a suspension in between (PUBACKs, disconnects), so a call on the publisher
    /// after this runs after that handling.
    func waitUntilObserved(_ count: Int, within timeout: Duration = .seconds(5)) async throws {
        try await traffic.wait(for: "\(count) events taken by the publisher", within: timeout) { $0.observed.count >= count }
    }

    var publishes: [Publish] { traffic.value.publishes }

    /// Waits until at least `count` messages were published on `topic` (any topic when nil)
    /// and returns all published messages on it.
    @discardableResult
    func waitForPublishes(
        _ count: Int, on topic: String? = nil, within timeout: Duration = .seconds(5)
    ) async throws -> [Publish] {
        let matching: @Sendable (Traffic) -> [Publish] = { traffic in
            traffic.publishes.filter { topic == nil || $0.topic == topic }
        }
        let traffic = try await traffic.wait(for: "\(count) publishes on \(topic ?? "any topic")", within: timeout) {
            matching($0).count >= count
        }
        return matching(traffic)
    }
}
