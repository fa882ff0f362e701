import FlightEdgeTestSupport
import FlightModel
import Foundation
import JSON
import MQTT
import Postgres
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// Fault suite, broker outage: mosquitto (with persistence) stopped for 10 s in the middle of a
/// TCP stream and started again.
@Suite("Fault suite: the broker down for 10 s during a stream")
struct BrokerOutageFaultTests {
    /// Writes lines to a TCP port at a steady pace from a thread of its own.
    final class PacedSender: Sendable {
        private let done = Atomic<Bool>(false)
        var isFinished: Bool { done.load(ordering: .relaxed) }

        init(port: Int, lines: [String], perSecond: Int) throws {
            let descriptor = try Loopback.connect(port: port)
            let chunk = max(1, perSecond / 20)
            let thread = Thread { [self] in
                for start in stride(from: 0, to: lines.count, by: chunk) {
                    let bytes = Array((lines[start..<min(start + chunk, lines.count)].joined(separator: "\n") + "\n").utf8)
                    var offset = 0
                    while offset < bytes.count {
                        let written = bytes[offset...].withUnsafeBytes {
                            send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
                        }
                        guard written > 0 else { break }
                        offset += written
                    }
                    usleep(50_000)
                }
                shutdown(descriptor, Int32(SHUT_WR))
                Glibc.close(descriptor)
                self.done.store(true, ordering: .relaxed)
            }
            thread.start()
        }
    }

    @Test func noEventLostForAPersistentSubscriberAndTheBoardIsRightAfterwards() async throws {
        let broker = try PrivateBroker()
        try broker.start()
        try await withDaemon(mqttPort: broker.port, start: false) { daemon in
            let relay = try MQTTWatcher(user: "relay", clientID: "relay-\(UUID().uuidString.prefix(6))", cleanSession: false, port: broker.port)
            try relay.subscribe(daemon.topic("events/#"), qos: 1)
            try daemon.start()
            let day = try CommandRun(["simulate", "--flights", "300", "--seed", "4", "--date", Fixture.day]).output
                .split(separator: "\n").map(String.init)
            let sender = try PacedSender(port: daemon.listenPort, lines: day, perSecond: max(200, day.count / 20))

            try await Task.sleep(for: .seconds(4))
            broker.stop()
            try await Task.sleep(for: .seconds(10))
            try broker.start()
            #expect(!sender.isFinished, "the stream should still run when the broker returns")

            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("the stream committed and the outbox drained", within: 120) {
                let unpublished = try connection.query("SELECT count(*) FROM flightedge.outbox WHERE published_at IS NULL").rows
                let frames = try connection.query("SELECT coalesce(sum(seq), 0) FROM flightedge.flights").rows
                return sender.isFinished && unpublished == [["0"]] && frames != [["0"]]
            }
            // Every event ever committed reached the persistent subscriber at least once.
            let eventIDs = Set(try connection.query("SELECT event_id::text FROM flightedge.outbox").rows.compactMap { $0[0] })
            try await relay.wait(for: 60, "every event at the persistent relay") { messages in
                MQTTWatcher.eventIDs(in: messages).isSuperset(of: eventIDs)
            }
            // A board arriving now sees online and every flight's latest state.
            let latest = Dictionary(
                uniqueKeysWithValues: try connection.query("SELECT flight_id, seq::text FROM flightedge.flights").rows.compactMap { row in
                    row[0].flatMap { id in row[1].map { (id, $0) } }
                })
            let board = try MQTTWatcher(port: broker.port)
            try board.subscribe(daemon.topic("#"))
            let lastSeen = Mutex<String>("")
            defer { print("fault suite, broker outage: board check: \(lastSeen.withLock { $0 })") }
            try await board.wait(for: 60, "online and every flight at its latest seq") { messages in
                var seen: [String: String] = [:]
                for message in messages where message.topic.hasPrefix(daemon.topic("flights/")) {
                    guard case .object(let object)? = try? JSONParser.parse(message.payload),
                        let id = object["flight_id"]?.stringValue, let seq = object["seq"]?.integerValue
                    else { continue }
                    seen[id] = String(seq)
                }
                let online = messages.contains { $0.topic == daemon.topic("status") && $0.text.contains(#""state":"online""#) }
                let stale = latest.filter { seen[$0.key] != $0.value }
                lastSeen.withLock {
                    $0 = "online \(online); \(stale.count) flights not at their latest seq, e.g. "
                        + stale.prefix(3).map { "\($0.key) db \($0.value) broker \(seen[$0.key] ?? "none")" }.joined(separator: ", ")
                }
                return online && stale.isEmpty
            }
            let births = daemon.log.components(separatedBy: "birth: re-publishing retained state").count - 1
            #expect(births >= 2, "the birth is re-published after the reconnect")
            #expect(daemon.log.components(separatedBy: "MQTT broker connection lost").count - 1 == 1)
            print(
                "fault suite, broker outage: mosquitto down 10 s during a \(day.count)-frame stream; \(eventIDs.count) events all at the persistent relay "
                    + "(\(relay.messages.count) deliveries); \(latest.count) flights retained at their latest seq; online again; \(births) births")
            #expect(daemon.stop() == 0)
            broker.stop()
        }
    }
}
