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
        if let airport = Self.statusAirport(of: message.topic) {
            takeStatus(message, airport: airport)
            return
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

    /// An airport's retained `status` (`{prefix}/{IATA}/status`): its `stream_seq` says where the
    /// stream ends, so events lost after the last one that arrived become a gap to replay.
    /// A status without one (offline, or an older gateway) changes nothing.
    private func takeStatus(_ message: SourceMessage, airport: String) {
        let head: Int64
        do {
            guard case .object(let object) = try JSONParser.parse(message.payload) else {
                keepRejected(message, reason: "the status is not a JSON object")
                return
            }
            guard object["state"]?.stringValue == "online", let value = object["stream_seq"] else { return }
            guard let number = value.integerValue, number > 0 else {
                keepRejected(message, reason: "stream_seq: \(value) is not a positive integer")
                return
            }
            head = number
        } catch {
            keepRejected(message, reason: "the status is not JSON: \(error)")
            return
        }
        let store = store
        do {
            if let gap = try BlockingAwait.run({ try await store.recordStreamHead(airport: airport, head: head) }) {
                logger.notice(
                    "events missing at the end of an airport's stream",
                    metadata: ["airport": "\(airport)", "from": "\(gap.from)", "to": "\(gap.to)"])
            }
        } catch {
            logger.error("cannot record an airport's stream head", metadata: ["airport": "\(airport)", "error": "\(error)"])
            keepRejected(message, reason: "cannot record the stream head: \(error)")
        }
    }

    /// The airport of a `…/{IATA}/status` topic (three letters or digits, upper case); nil for
    /// any other topic.
    static func statusAirport(of topic: String) -> String? {
        let parts = topic.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count >= 3, parts.last == "status" else { return nil }
        let code = parts[parts.count - 2]
        guard code.count == 3, code.allSatisfy({ ($0.isASCII && $0.isUppercase) || $0.isASCII && $0.isNumber }) else { return nil }
        return String(code)
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
