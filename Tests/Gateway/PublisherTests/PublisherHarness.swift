import Logging
import MQTT
import Telemetry
import Prometheus
import Publisher

/// An ``OutboxPublisher`` running against a ``FakeBrokerLink`` and a ``FakeOutbox``, for ZRH.
final class PublisherHarness: Sendable {
    static let statusTopic = "flightedge/ZRH/status"
    static let resyncTopic = "flightedge/ZRH/cmd/resync"
    static let replayTopic = "flightedge/ZRH/cmd/replay"
    static let online = Array(#"{"state":"online"}"#.utf8)
    static let offline = Array(#"{"state":"offline"}"#.utf8)

    let link: FakeBrokerLink
    let outbox = FakeOutbox()
    let registry = PrometheusCollectorRegistry()
    let metrics: GatewayMetrics
    let publisher: OutboxPublisher
    /// What the birth re-publishes: the retained state of every flight.
    let birth: Recorded<[OutgoingMessage]>

    init(
        maxInflight: Int = 1000, memoryLimit: Int = 50_000, birth: [OutgoingMessage] = [],
        protocolVersion: MQTTClient.ProtocolVersion = .v5, replayTopic: String? = nil
    ) {
        link = FakeBrokerLink(protocolVersion: protocolVersion)
        metrics = GatewayMetrics(factory: PrometheusMetricsFactory(registry: registry))
        var settings = OutboxPublisher.Settings(
            statusTopic: Self.statusTopic, onlinePayload: Self.online, offlinePayload: Self.offline,
            resyncTopic: Self.resyncTopic)
        settings.maxInflight = maxInflight
        settings.memoryLimit = memoryLimit
        settings.replayTopic = replayTopic
        let state = Recorded(birth)
        self.birth = state
        publisher = OutboxPublisher(
            link: link, store: outbox, settings: settings,
            logger: Logger(label: "publisher-tests", factory: { _ in SwiftLogNoOpLogHandler() }), metrics: metrics,
            birth: { state.value })
    }

    /// Runs `body` with the publisher consuming the link's events; stops it afterwards, also
    /// when `body` throws.
    static func run<Result>(
        maxInflight: Int = 1000, memoryLimit: Int = 50_000, birth: [OutgoingMessage] = [],
        protocolVersion: MQTTClient.ProtocolVersion = .v5, replayTopic: String? = nil,
        _ body: (PublisherHarness) async throws -> Result
    ) async throws -> Result {
        let harness = PublisherHarness(
            maxInflight: maxInflight, memoryLimit: memoryLimit, birth: birth, protocolVersion: protocolVersion,
            replayTopic: replayTopic)
        let publisher = harness.publisher
        let task = Task { await publisher.run() }
        defer {
            harness.link.finish()
            task.cancel()
        }
        return try await body(harness)
    }

    /// Commits events to the outbox and hands them to the publisher, as the pipeline does.
    func commit(_ events: [OutgoingMessage]) async {
        outbox.commit(events)
        await publisher.enqueueEvents(events)
    }

    /// What went out on event topics, as outbox ids, in order.
    var publishedEventIDs: [Int64] { link.publishes.compactMap(Self.outboxID) }

    /// The outbox id an event publish carries (its payload is `{"id":N}`).
    static func outboxID(_ publish: FakeBrokerLink.Publish) -> Int64? {
        guard publish.topic.hasPrefix("flightedge/ZRH/events/") else { return nil }
        return Int64(publish.text.dropFirst(#"{"id":"#.count).dropLast())
    }
}

/// Event `id` of the outbox: a gate change of LX1234.
func event(_ id: Int64) -> OutgoingMessage {
    OutgoingMessage(
        outboxID: id, topic: "flightedge/ZRH/events/gate-change", payload: Array(#"{"id":\#(id)}"#.utf8), qos: 1,
        retain: false, eventID: "event-\(id)", schema: "flightedge.event/1")
}

/// Events `ids` of the outbox.
func events(_ ids: ClosedRange<Int64>) -> [OutgoingMessage] { ids.map(event) }

/// The retained state of `flight`.
func state(_ flight: String, _ payload: String = #"{"seq":1}"#) -> OutgoingMessage {
    OutgoingMessage(
        topic: "flightedge/ZRH/flights/\(flight)", payload: Array(payload.utf8), qos: 1, retain: true,
        schema: "flightedge.flight/1")
}

extension PublisherHarness {
    /// The value of one sample in the registry's exposition, e.g. a counter's total.
    func sample(_ name: String) -> Double? {
        var text: [UInt8] = []
        registry.emit(into: &text)
        return String(decoding: text, as: UTF8.self).split(separator: "\n")
            .first { $0.hasPrefix(name + " ") }.flatMap { Double($0.dropFirst(name.count + 1)) }
    }
}
