import CoreMetrics
import EventSource
import FlightModel
import Foundation
import JSON
import Logging
import NotificationRules
import RelayStore
import Telemetry
import Timing

/// Takes each message from the event source: reads it as a FlightEdge event, records it and
/// the deliveries the rules plan in one transaction, and only then returns (so the source
/// acknowledges it). A message that is no readable event is kept in `relay.rejected_events`
/// with the reason and the field, and acknowledged: it would never read better.
final class EventIntake: Sendable {
    private let store: RelayStore
    private let planner: DeliveryPlanner
    private let metrics: RelayMetrics
    private let logger: Logger
    private let recorded: @Sendable (IntakeOutcome) -> Void

    init(
        store: RelayStore, planner: DeliveryPlanner, metrics: RelayMetrics, logger: Logger,
        recorded: @escaping @Sendable (IntakeOutcome) -> Void
    ) {
        self.store = store
        self.planner = planner
        self.metrics = metrics
        self.logger = logger
        self.recorded = recorded
    }

    /// The source's handler: blocks until the message is committed (or kept as rejected).
    func take(_ message: SourceMessage) {
        switch Self.airportTopic(of: message.topic) {
        case (let airport, .status)?:
            takeStatus(message, airport: airport)
            return
        case (let airport, .bridge)?:
            takeBridgeNotification(message, airport: airport)
            return
        case nil:
            break
        }
        let started = ContinuousClock.now
        // Parsed once: the rules' reading and the additive `stream_seq` come from the same value.
        let json: JSONValue
        let event: RelayEvent
        do {
            do { json = try JSONParser.parse(message.payload) } catch {
                throw RelayEventError(.notJSON, field: nil, "the event is not JSON: \(error)")
            }
            event = try RelayEvent(json: json)
        } catch {
            keepRejected(message, reason: "\(error)")
            return
        }
        guard UUID(uuidString: event.eventID) != nil else {
            keepRejected(message, reason: "event_id \"\(event.eventID)\" is not a UUID")
            return
        }
        let record = EventRecord(
            eventID: event.eventID, airport: event.airport, flightID: event.flightID, kind: event.kind.rawValue,
            seq: Int(event.seq), streamSeq: Self.streamSeq(in: json),
            occurredAt: event.occurredAt.description, airline: event.flight.airline, number: event.flight.number,
            flightDate: event.flight.date, payload: String(decoding: message.payload, as: UTF8.self))
        let planner = planner
        let store = store
        do {
            let outcome = try BlockingAwait.run {
                try await store.record(record) { match in try planner.plan(event, for: match, now: .now) }
            }
            metrics.intakeSeconds.recordNanoseconds((ContinuousClock.now - started).nanoseconds)
            switch outcome {
            case .duplicate:
                metrics.eventsDuplicate.increment()
            case .recorded(let deliveries, _):
                metrics.eventsRecorded.increment()
                metrics.deliveriesPlanned.increment(by: deliveries)
            }
            recorded(outcome)
        } catch {
            // Not an outage (those are waited out inside the store): the database refused the
            // event or the rules could not plan it. Kept with the reason, never dropped silently.
            logger.error("cannot record event", metadata: ["event": "\(event.eventID)", "error": "\(error)"])
            keepRejected(message, reason: "cannot record: \(error)")
        }
    }

    /// What a message on an airport's own topic other than its events says.
    enum AirportTopic {
        /// `{prefix}/{IATA}/status`: the gateway's retained liveness, with `stream_seq`.
        case status
        /// `{prefix}/{IATA}/bridge/{name}`: the bridge's notification, `1` connected, `0` not.
        case bridge
    }

    /// An airport's retained `status`: `online` with `stream_seq` says where its stream ends,
    /// so events lost after the last one that arrived become a gap to replay; `offline` (a clean
    /// stop, or the last will) marks the airport offline. Without `stream_seq` (an older
    /// gateway, or the `online` said at a reconnect) only the state is kept.
    private func takeStatus(_ message: SourceMessage, airport: String) {
        let state: String
        var head: Int64?
        do {
            guard case .object(let object) = try JSONParser.parse(message.payload) else {
                keepRejected(message, reason: "the status is not a JSON object")
                return
            }
            guard let said = object["state"]?.stringValue, said == "online" || said == "offline" else {
                keepRejected(message, reason: "state: expected \"online\" or \"offline\"")
                return
            }
            state = said
            if said == "online", let value = object["stream_seq"] {
                guard let number = value.integerValue, number > 0 else {
                    keepRejected(message, reason: "stream_seq: \(value) is not a positive integer")
                    return
                }
                head = number
            }
        } catch {
            keepRejected(message, reason: "the status is not JSON: \(error)")
            return
        }
        let store = store
        do {
            if let head {
                if let gap = try BlockingAwait.run({ try await store.recordStreamHead(airport: airport, head: head) }) {
                    logger.notice(
                        "events missing at the end of an airport's stream",
                        metadata: ["airport": "\(airport)", "from": "\(gap.from)", "to": "\(gap.to)"])
                }
            } else {
                try BlockingAwait.run { try await store.recordAirportLink(airport: airport, gateway: state) }
            }
        } catch {
            logger.error("cannot record an airport's status", metadata: ["airport": "\(airport)", "error": "\(error)"])
            keepRejected(message, reason: "cannot record the status: \(error)")
        }
    }

    /// The bridge's notification at the centre (mosquitto's `notification_topic`): `1` when it
    /// connected, `0` when it stopped (the bridge's last will on the cluster says so too).
    private func takeBridgeNotification(_ message: SourceMessage, airport: String) {
        let text = String(decoding: message.payload, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard text == "1" || text == "0" else {
            keepRejected(message, reason: "bridge notification: expected 1 or 0, got \"\(text.prefix(40))\"")
            return
        }
        let state = text == "1" ? "connected" : "disconnected"
        logger.info("airport bridge \(state)", metadata: ["airport": "\(airport)", "topic": "\(message.topic)"])
        let store = store
        do {
            try BlockingAwait.run { try await store.recordAirportLink(airport: airport, bridge: state) }
        } catch {
            logger.error("cannot record an airport's bridge state", metadata: ["airport": "\(airport)", "error": "\(error)"])
            keepRejected(message, reason: "cannot record the bridge state: \(error)")
        }
    }

    /// The airport and kind of a `…/{IATA}/status` or `…/{IATA}/bridge/{name}` topic (the
    /// code three upper-case letters or digits); nil for any other topic.
    static func airportTopic(of topic: String) -> (airport: String, kind: AirportTopic)? {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        func code(_ index: Int) -> String? {
            guard index >= 0, index < parts.count else { return nil }
            let part = parts[index]
            return part.count == 3 && part.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) ? String(part) : nil
        }
        if parts.count >= 3, parts.last == "status", let airport = code(parts.count - 2) { return (airport, .status) }
        if parts.count >= 4, parts[parts.count - 2] == "bridge", let airport = code(parts.count - 3) { return (airport, .bridge) }
        return nil
    }

    private func keepRejected(_ message: SourceMessage, reason: String) {
        metrics.eventsRejected.increment()
        logger.warning("message rejected", metadata: ["topic": "\(message.topic)", "reason": "\(reason)"])
        let store = store
        do {
            try BlockingAwait.run { try await store.reject(payload: message.payload, origin: message.topic, reason: reason) }
        } catch {
            logger.critical(
                "cannot keep a rejected message; it is acknowledged and lost",
                metadata: ["topic": "\(message.topic)", "error": "\(error)"])
        }
    }

    /// The additive `stream_seq` member (RELAY.md), when present.
    static func streamSeq(in json: JSONValue) -> Int64? {
        guard case .object(let object) = json else { return nil }
        return object["stream_seq"]?.integerValue
    }
}

extension Duration {
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
