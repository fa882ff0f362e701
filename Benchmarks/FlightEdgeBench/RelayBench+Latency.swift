import FlightEdgeTestSupport
import Foundation
import MQTT
import Synchronization

extension RelayBench {
    struct Latency {
        var p50: Double
        var p99: Double
        var max: Double
        /// The same from the moment `publish` was called (an upper bound: a PUBACK read late by
        /// the publisher's network thread on a loaded machine can even come after the push).
        var fromPublish: (p50: Double, p99: Double, max: Double)
        var measured: Int
        var events: Int
    }

    /// Publishes `rate` cancellations a second for `seconds` at QoS 1 to the benchmark's broker
    /// (as the gateway does; each of a flight with one subscriber), and measures from each
    /// event's PUBACK to the FCM sink's acceptance of its push, in milliseconds. A cancellation
    /// has no hold-down: what is measured is the relay's own path (intake transaction, wake-up,
    /// claim, send).
    func latency(rate: Int, seconds: Int) throws -> Latency {
        fcm.recorder.reset()
        let clock = PubackClock()
        var configuration = MQTTClient.Configuration(clientID: "fe-bench-latency-\(getpid())")
        configuration.maxInflight = 100
        let client = try MQTTClient(configuration: configuration) { event in
            switch event {
            case .connected(let code, _) where code == 0: clock.connected()
            case .published(let messageID, _): clock.acknowledged(messageID, at: now())
            default: break
            }
        }
        try client.start(host: "127.0.0.1", port: broker.port)
        defer { client.stop() }
        try clock.waitConnected()

        let count = rate * seconds
        let today = RelaySeed.today
        let started = now()
        for index in 0..<count {
            let due = started + Double(index) / Double(rate)
            let wait = due - now()
            if wait > 0 { usleep(UInt32(wait * 1e6)) }
            let eventID = UUID().uuidString.lowercased()
            let number = 1000 + index
            let stamp = ISO8601DateFormatter().string(from: Date())
            let payload = """
                {"schema":"flightedge.event/1","event_id":"\(eventID)","kind":"cancellation","airport":"BNQ",\
                "flight_id":"BQ\(number)-\(today.replacingOccurrences(of: "-", with: ""))-D","seq":2,\
                "occurred_at":"\(stamp)","observed_at":"\(stamp)","source":{"feed":"aodb","position":"\(index)"},\
                "flight":{"airline":"BQ","number":"\(number)","direction":"departure","date":"\(today)","origin":"BNQ",\
                "destination":"LHR","scheduled":"\(ISO8601DateFormatter().string(from: Date().addingTimeInterval(7200)))"},\
                "previous":{"status":"scheduled"},"current":{"status":"cancelled"}}
                """
            let publishedAt = now()
            let messageID = try client.publish(
                topic: "flightedge/BNQ/events/cancellation", payload: Array(payload.utf8), qos: 1, retain: false)
            clock.published(messageID, eventID: eventID, at: publishedAt)
        }
        _ = fcm.recorder.wait(for: count, timeout: 60)
        // A push's delivery id is `{event_id}.{subscription}.fcm`.
        var accepted: [String: Double] = [:]
        for (deliveryID, time) in fcm.recorder.acceptances {
            accepted[String(deliveryID.prefix(while: { $0 != "." }))] = time
        }
        var latencies: [Double] = []
        for (eventID, acknowledged) in clock.acknowledgements {
            guard let acceptance = accepted[eventID] else { continue }
            latencies.append((acceptance - acknowledged) * 1000)
        }
        var fromPublish = clock.publications.compactMap { eventID, time in accepted[eventID].map { ($0 - time) * 1000 } }
        latencies.sort()
        fromPublish.sort()
        func percentile(_ values: [Double], _ p: Double) -> Double {
            values.isEmpty ? .nan : values[min(values.count - 1, Int(Double(values.count) * p))]
        }
        return Latency(
            p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: latencies.last ?? .nan,
            fromPublish: (percentile(fromPublish, 0.5), percentile(fromPublish, 0.99), fromPublish.last ?? .nan),
            measured: latencies.count, events: count)
    }
}

/// PUBACK times by message id, joined with the event each message carried (a PUBACK may come
/// before `publish` returned its id to us).
final class PubackClock: Sendable {
    private struct State {
        var isConnected = false
        var ackTimes: [Int32: Double] = [:]
        var events: [Int32: String] = [:]
        var publishTimes: [Int32: Double] = [:]
    }

    private let state = Mutex(State())

    func connected() { state.withLock { $0.isConnected = true } }
    func acknowledged(_ messageID: Int32, at time: Double) { state.withLock { $0.ackTimes[messageID] = time } }
    func published(_ messageID: Int32, eventID: String, at time: Double) {
        state.withLock {
            $0.events[messageID] = eventID
            $0.publishTimes[messageID] = time
        }
    }

    /// Event id → when `publish` was called.
    var publications: [String: Double] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: state.events.compactMap { id, event in state.publishTimes[id].map { (event, $0) } })
        }
    }

    /// Event id → PUBACK time.
    var acknowledgements: [String: Double] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: state.events.compactMap { id, event in state.ackTimes[id].map { (event, $0) } })
        }
    }

    func waitConnected(timeout: Double = 10) throws {
        let deadline = now() + timeout
        while !state.withLock({ $0.isConnected }) {
            guard now() < deadline else { throw BenchError("the benchmark's broker did not accept the connection") }
            usleep(1000)
        }
    }
}
