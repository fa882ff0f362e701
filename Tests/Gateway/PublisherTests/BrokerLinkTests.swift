import FlightEdgeTestSupport
import Foundation
import Logging
import MQTT
import MQTTWire
import Publisher
import Synchronization
import Testing
import Timing

#if canImport(Glibc)
import Glibc
#endif

/// The daemon's broker link on swift-nio, against the mosquitto of scripts/services (and, for
/// the fallback to MQTT 3.1.1, against a listener that answers as a broker without v5 does:
/// mosquitto 2.0 speaks v5 and cannot be made to refuse it).
@Suite("Broker link", .serialized)
struct BrokerLinkTests {
    private func settings(port: Int? = nil, clientID: String = "link-test-\(UUID().uuidString.prefix(8))") throws
        -> BrokerLink.Settings
    {
        var settings = BrokerLink.Settings(
            host: "127.0.0.1", port: try port ?? TestServices.mqttPort, clientID: clientID,
            statusTopic: "flightedge/LNK/status", willPayload: Array(#"{"state":"offline"}"#.utf8))
        settings.username = "flightedge"
        settings.password = try TestServices.mqttPassword("flightedge")
        settings.reconnectBackoff = RetryBackoff(initial: .milliseconds(200), maximum: .seconds(1))
        return settings
    }

    /// Takes the link's events as the publisher does (observe, then act) and keeps them.
    private final class Consumer: Sendable {
        let link: BrokerLink
        private let seen = Mutex<[MQTTEvent]>([])
        private let task = Mutex<Task<Void, Never>?>(nil)
        private let finished = Atomic<Bool>(false)

        /// The link's event stream ended.
        var ended: Bool { finished.load(ordering: .relaxed) }

        init(_ link: BrokerLink) {
            self.link = link
            let task = Task { [self] in
                for await event in link.events {
                    _ = link.observe(event)
                    seen.withLock { $0.append(event) }
                }
                finished.store(true, ordering: .relaxed)
            }
            self.task.withLock { $0 = task }
        }

        var events: [MQTTEvent] { seen.withLock { $0 } }
        var connections: Int { events.filter { if case .connected(0, _) = $0 { true } else { false } }.count }
        var disconnections: Int { events.filter { if case .disconnected = $0 { true } else { false } }.count }
        /// Message ids the broker took (reason below 0x80: 0x10 says no one subscribed).
        var acknowledged: [Int32] {
            events.flatMap { event -> [Int32] in
                switch event {
                case .published(let id, let reason) where reason < 0x80: [id]
                case .publishedMany(let acknowledgements): acknowledgements.filter { $0.reasonCode < 0x80 }.map(\.messageID)
                default: []
                }
            }
        }

        func wait(_ what: String, timeout: Duration = .seconds(10), until condition: (Consumer) -> Bool) async throws {
            let deadline = ContinuousClock.now + timeout
            while !condition(self) {
                guard ContinuousClock.now < deadline else {
                    throw TestSupportError(.connectionFailed, "waited \(timeout) for \(what): \(events.prefix(20))")
                }
                try await Task.sleep(for: .milliseconds(10))
            }
        }
    }

    @Test func publishesInBurstsAreEachAcknowledgedOnceWithTheIdPublishReturned() async throws {
        let link = BrokerLink(settings: try settings(), logger: Logger(label: "test"))
        let consumer = Consumer(link)
        #expect(throws: MQTTError.self, "nothing to publish on before the CONNACK") {
            try link.publish(topic: "flightedge/LNK/x", payload: [1], qos: 1, retain: false)
        }
        try link.start()
        try await consumer.wait("the CONNACK") { $0.connections == 1 }
        #expect(link.isConnected && link.protocolVersion == .v5)
        var ids: [Int32] = []
        for burst in 0..<20 {
            for n in 0..<100 {
                ids.append(
                    try link.publish(
                        topic: "flightedge/LNK/events/\(n)", payload: Array("{\"n\":\(burst * 100 + n)}".utf8), qos: 1,
                        retain: false, properties: MQTTWire.MQTTPublishProperties(contentType: "application/json")))
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        try await consumer.wait("2,000 PUBACKs") { $0.acknowledged.count == 2_000 }
        #expect(Set(ids).count == 2_000)
        #expect(consumer.acknowledged.sorted() == ids.sorted())
        await link.stop()
        #expect(!link.isConnected)
    }

    @Test func aMessageThatCannotBeEncodedComesBackRefusedAndTheRestGoOn() async throws {
        let link = BrokerLink(settings: try settings(), logger: Logger(label: "test"))
        let consumer = Consumer(link)
        try link.start()
        try await consumer.wait("the CONNACK") { $0.connections == 1 }
        let good = try link.publish(topic: "flightedge/LNK/a", payload: [1], qos: 1, retain: false)
        // A wildcard is not a topic name: the packet cannot be written.
        let bad = try link.publish(topic: "flightedge/LNK/#", payload: [2], qos: 1, retain: false)
        let after = try link.publish(topic: "flightedge/LNK/b", payload: [3], qos: 1, retain: false)
        try await consumer.wait("two PUBACKs") { $0.acknowledged.count == 2 }
        #expect(Set(consumer.acknowledged) == [good, after])
        let refusals = consumer.events.compactMap { event -> Int32? in
            if case .published(let id, let reason) = event, reason >= 0x80 { return id == bad ? reason : nil }
            return nil
        }
        // The publisher keeps a refused message and retries it with backoff, logging it once.
        #expect(refusals == [0x83], "the unsendable message is reported as refused: \(consumer.events.prefix(6))")
        await link.stop()
    }

    @Test func stopEndsTheEventsAndNothingIsPublishedAfter() async throws {
        let link = BrokerLink(settings: try settings(), logger: Logger(label: "test"))
        let consumer = Consumer(link)
        try link.start()
        try await consumer.wait("the CONNACK") { $0.connections == 1 }
        let started = ContinuousClock.now
        await link.stop()
        #expect(ContinuousClock.now - started < .seconds(2), "a stop does not wait for the broker")
        try await consumer.wait("the end of the events") { $0.ended }
        #expect(!link.isConnected)
        #expect(throws: MQTTError.self) { try link.publish(topic: "flightedge/LNK/x", payload: [1], qos: 1, retain: false) }
    }

    @Test func aConnectionTheBrokerDropsIsMadeAgainAndOnlyTheNewOneCarriesPublishes() async throws {
        let settings = try settings()
        let link = BrokerLink(settings: settings, logger: Logger(label: "test"))
        let consumer = Consumer(link)
        try link.start()
        try await consumer.wait("the CONNACK") { $0.connections == 1 }
        // A client with the same id takes the session over: mosquitto closes the link's connection.
        let intruder = try Loopback.connect(port: settings.port)
        var out: [UInt8] = []
        try MQTTPacketWriter.connect(
            MQTTConnect(
                version: .v5, clientID: settings.clientID, username: "flightedge",
                password: Array((settings.password ?? "").utf8)),
            into: &out)
        try Loopback.writeAll(intruder, out)
        try await consumer.wait("the close") { $0.disconnections == 1 }
        #expect(!link.isConnected)
        #expect(throws: MQTTError.self, "a publish between the close and the next CONNACK is refused, not queued") {
            try link.publish(topic: "flightedge/LNK/x", payload: [1], qos: 1, retain: false)
        }
        close(intruder)
        try await consumer.wait("the reconnect") { $0.connections == 2 }
        let id = try link.publish(topic: "flightedge/LNK/x", payload: [2], qos: 1, retain: false)
        try await consumer.wait("its PUBACK") { $0.acknowledged.contains(id) }
        await link.stop()
    }

    @Test func aBrokerWithoutV5IsSpokenToInMQTT311WithoutARefusalReported() async throws {
        let broker = try OldBroker()
        let link = BrokerLink(settings: try settings(port: broker.port), logger: Logger(label: "test"))
        let consumer = Consumer(link)
        try link.start()
        try await consumer.wait("the CONNACK") { $0.connections == 1 }
        #expect(link.protocolVersion == .v311)
        #expect(broker.versions.prefix(2) == [5, 4], "v5 first, then 3.1.1 at once: \(broker.versions)")
        let refusals = consumer.events.filter { if case .connected(let code, _) = $0 { code != 0 } else { false } }
        #expect(refusals.isEmpty, "the fallback is not a refusal: \(refusals)")
        await link.stop()
        broker.stop()
    }

    @Test func aRefusalIsReportedWithItsReasonAndRetriedWithBackoff() async throws {
        var settings = try settings()
        settings.password = "wrong"
        let link = BrokerLink(settings: settings, logger: Logger(label: "test"))
        let consumer = Consumer(link)
        try link.start()
        try await Task.sleep(for: .seconds(2))
        let refusals = consumer.events.compactMap { event -> String? in
            if case .connected(let code, let reason) = event, code != 0 { "\(code) \(reason)" } else { nil }
        }
        // 200 ms doubling to 1 s, each wait 50–100 % of its ceiling: four to six attempts in
        // 2 s, not hundreds.
        #expect(refusals.count >= 3 && refusals.count <= 7, "\(refusals)")
        #expect(refusals.first == "135 Not authorized", "\(refusals)")
        #expect(!link.isConnected)
        #expect(consumer.disconnections == 0, "a refusal is told once, as the refusal: \(consumer.events.prefix(4))")
        await link.stop()
    }
}

/// A listener that answers like a broker that knows only MQTT 3.1.1: a v5 CONNECT gets CONNACK
/// return code 1 (unacceptable protocol version) and the connection closes; a 3.1.1 one is
/// accepted and held open. It records each CONNECT's protocol level.
private final class OldBroker: Sendable {
    let port: Int
    private let listener: Int32
    private let levels = Mutex<[UInt8]>([])
    private let clients = Mutex<[Int32]>([])

    init() throws {
        port = try Loopback.freePort()
        listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var yes: Int32 = 1
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, 8) == 0 else { throw TestSupportError(.connectionFailed, "cannot listen", errno: errno) }
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var versions: [UInt8] { levels.withLock { $0 } }

    private func serve() {
        while true {
            let client = accept(listener, nil, nil)
            guard client >= 0 else { return }
            var bytes = [UInt8](repeating: 0, count: 512)
            let count = read(client, &bytes, bytes.count)
            // Fixed header, a one-byte remaining length, "\0\4MQTT", then the level.
            guard count >= 9 else {
                close(client)
                continue
            }
            let level = bytes[8]
            levels.withLock { $0.append(level) }
            let refusal: [UInt8] = [0x20, 0x02, 0x00, 0x01]
            let acceptance: [UInt8] = [0x20, 0x02, 0x00, 0x00]
            if level == 5 {
                _ = write(client, refusal, refusal.count)
                close(client)
            } else {
                _ = write(client, acceptance, acceptance.count)
                clients.withLock { $0.append(client) }
            }
        }
    }

    func stop() {
        shutdown(listener, Int32(SHUT_RDWR))
        close(listener)
        for client in clients.withLock({ $0 }) { close(client) }
    }
}
