import FlightModel
import Foundation
import JSON

/// The retained topics as the broker should hold them, from committed state only: every
/// current flight's payload, and the gate and belt lists derived from them. Pure.
///
/// After a commit the pipeline hands it the flights that changed and publishes what it
/// returns; after every (re)connect the publisher re-publishes ``birth()``.
public struct RetainedBoard: Sendable {
    /// What a gate or belt list shows of one flight, rendered once per change.
    struct Entry: Sendable {
        var payload: [UInt8]
        var seq: Int64
        var direction: Direction
        var gate: String?
        var belt: String?
        /// Estimated, else scheduled: the order of gate and belt lists.
        var sortTime: Int64
        /// Whether the flight still belongs on its gate or belt screen.
        var onGateScreen: Bool
        var onBeltScreen: Bool
        var summary: [UInt8]
        var endsAt: Timestamp?
        var updatedAt: Timestamp
        var scheduled: Timestamp?
    }

    public let topicRoot: String
    public let stateQoS: Int
    public let context: PayloadContext
    /// The airport's IANA zone name, the lists' `time_zone` (read once, not per message).
    private let timeZoneName: String
    private var flights: [HashedFlightID: Entry] = [:]
    private var gates: [String: Set<HashedFlightID>] = [:]
    private var belts: [String: Set<HashedFlightID>] = [:]
    /// The `seq` of the last gate or belt list made; see ``nextListSeq(now:)``.
    private var lastListSeq: Int64 = 0
    /// `{root}/flights/`, made once: an interpolation per message cost ~900 instructions.
    private let flightTopicPrefix: String

    /// - Parameter topicRoot: `{prefix}/{IATA}`, e.g. `flightedge/ZRH`.
    public init(topicRoot: String, stateQoS: Int, context: PayloadContext) {
        self.topicRoot = topicRoot
        self.stateQoS = stateQoS
        self.context = context
        self.timeZoneName = context.zone.identifier
        self.flightTopicPrefix = topicRoot + "/flights/"
    }

    /// The `seq` last published for a flight (0 when never), for the next payload's `prev_seq`.
    public func publishedSeq(of flightID: String) -> Int64 { flights[HashedFlightID(flightID)]?.seq ?? 0 }

    public var flightCount: Int { flights.count }

    /// Records committed states (with the payloads that were stored) and returns the messages
    /// to publish: each flight's topic, and every gate and belt list that changed.
    ///
    /// - Parameter receivedAt: the monotonic receipt of the first frame that touched each
    ///   flight: its state message carries it, for the receipt-to-PUBACK latency.
    public mutating func update(
        _ committed: [(state: FlightState, payload: [UInt8])], now: Timestamp, receivedAt: [HashedFlightID: UInt64] = [:]
    ) -> [OutgoingMessage] {
        var messages: [OutgoingMessage] = []
        messages.reserveCapacity(committed.count)
        var touchedGates: Set<String> = []
        var touchedBelts: Set<String> = []
        for (state, payload) in committed {
            let id = state.key.hashedID
            if let old = flights[id] {
                if let gate = old.gate { gates[gate]?.remove(id); touchedGates.insert(gate) }
                if let belt = old.belt { belts[belt]?.remove(id); touchedBelts.insert(belt) }
            }
            let entry = Self.entry(state, payload: payload, context: context)
            flights[id] = entry
            if let gate = entry.gate, entry.direction == .departure {
                gates[gate, default: []].insert(id)
                touchedGates.insert(gate)
            }
            if let belt = entry.belt, entry.direction == .arrival {
                belts[belt, default: []].insert(id)
                touchedBelts.insert(belt)
            }
            var message = flightMessage(id.text, payload)
            message.receivedAtNanoseconds = receivedAt[id] ?? 0
            messages.append(message)
        }
        messages += touchedGates.sorted().map { gateMessage($0, now: now) }
        messages += touchedBelts.sorted().map { beltMessage($0, now: now) }
        return messages
    }

    /// Forgets flights (housekeeping) and returns the clears: an empty retained payload on each
    /// flight's topic, and the gate and belt lists without them.
    public mutating func remove(_ flightIDs: [String], now: Timestamp) -> [OutgoingMessage] {
        var messages: [OutgoingMessage] = []
        var touchedGates: Set<String> = []
        var touchedBelts: Set<String> = []
        for flightID in flightIDs {
            let id = HashedFlightID(flightID)
            guard let entry = flights.removeValue(forKey: id) else { continue }
            if let gate = entry.gate { gates[gate]?.remove(id); touchedGates.insert(gate) }
            if let belt = entry.belt { belts[belt]?.remove(id); touchedBelts.insert(belt) }
            messages.append(OutgoingMessage(topic: "\(topicRoot)/flights/\(flightID)", payload: [], qos: 1, retain: true))
        }
        messages += touchedGates.sorted().map { gateMessage($0, now: now) }
        messages += touchedBelts.sorted().map { beltMessage($0, now: now) }
        return messages
    }

    /// Flights that ended more than `retainHours` ago (by actual or estimated time, never by
    /// the scheduled time alone), or that nothing was heard of for two days after their
    /// scheduled time.
    public func expired(now: Timestamp, retainHours: Int) -> [String] {
        let horizon = now.millisecondsSinceEpoch - Int64(retainHours) * 3_600_000
        let silentHorizon = now.millisecondsSinceEpoch - 48 * 3_600_000
        return flights.compactMap { id, entry in
            if let ends = entry.endsAt, ends.millisecondsSinceEpoch < horizon { return id.text }
            if entry.updatedAt.millisecondsSinceEpoch < silentHorizon,
                let scheduled = entry.scheduled, scheduled.millisecondsSinceEpoch < silentHorizon
            {
                return id.text
            }
            return nil
        }
    }

    /// Every retained topic: all flights, gates and belts (the lists with a new `seq`).
    public mutating func birth(now: Timestamp) -> [OutgoingMessage] {
        var messages = flights.map { flightMessage($0.key.text, $0.value.payload) }
        messages += gates.keys.sorted().map { gateMessage($0, now: now) }
        messages += belts.keys.sorted().map { beltMessage($0, now: now) }
        return messages
    }

    // MARK: - Messages

    private func flightMessage(_ id: String, _ payload: [UInt8]) -> OutgoingMessage {
        OutgoingMessage(
            topic: flightTopicPrefix + id, payload: payload, qos: stateQoS, retain: true, schema: FlightPayload.schema)
    }

    /// Gate screens: departures that have not left, current first.
    private mutating func gateMessage(_ gate: String, now: Timestamp) -> OutgoingMessage {
        let entries = (gates[gate] ?? []).compactMap { flights[$0] }.filter(\.onGateScreen).sorted { $0.sortTime < $1.sortTime }
        return listMessage(kind: "gate", name: gate, listKey: "departures", entries: entries.prefix(8), now: now)
    }

    /// Belt screens: arrivals until 90 minutes after on-block.
    private mutating func beltMessage(_ belt: String, now: Timestamp) -> OutgoingMessage {
        let cutoff = now.millisecondsSinceEpoch - 90 * 60_000
        let entries = (belts[belt] ?? []).compactMap { flights[$0] }
            .filter { $0.onBeltScreen && ($0.endsAt?.millisecondsSinceEpoch ?? Int64.max) >= cutoff }
            .sorted { $0.sortTime < $1.sortTime }
        return listMessage(kind: "belt", name: belt, listKey: "arrivals", entries: entries.prefix(12), now: now)
    }

    private mutating func listMessage(
        kind: String, name: String, listKey: String, entries: ArraySlice<Entry>, now: Timestamp
    ) -> OutgoingMessage {
        let seq = nextListSeq(now: now)
        let schema = "flightedge." + kind + "/1"
        var writer = JSONWriter(capacity: 320 + entries.count * 300)
        writer.beginObject()
        writer.field("schema", schema)
        writer.field("airport", context.airport)
        writer.field(kind, name)
        writer.field("seq", seq)
        writer.field("as_of", now)
        writer.field("as_of_local", now, offsetSeconds: context.offsetSeconds(at: now))
        writer.field("time_zone", timeZoneName)
        writer.key(listKey)
        writer.beginArray()
        for entry in entries { writer.raw(entry.summary) }
        writer.endArray()
        writer.endObject()
        return OutgoingMessage(
            topic: topicRoot + "/" + kind + "s/" + Self.topicLevel(name), payload: writer.bytes, qos: stateQoS,
            retain: true, schema: schema)
    }

    /// The next list's `seq`: one more than the last, and at least `now` in milliseconds since
    /// the epoch. Strictly increasing over every gate and belt list this gateway makes, so over
    /// the publications of each topic, whatever flights join or leave it (the highest `seq` of
    /// the listed flights falls when the newest one leaves, and flights' `seq` are counted per
    /// flight). The clock floor keeps it growing across restarts without storing it: a restart
    /// takes longer than the few milliseconds a burst of lists can run ahead of the clock.
    mutating func nextListSeq(now: Timestamp) -> Int64 {
        lastListSeq = max(lastListSeq + 1, now.millisecondsSinceEpoch)
        return lastListSeq
    }

    /// A gate or belt name as one topic level: MQTT wildcards and separators replaced.
    static func topicLevel(_ name: String) -> String {
        // Nearly every name has none of them: kept as it is, without a pass per character.
        guard name.utf8.contains(where: { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "+") || $0 == UInt8(ascii: "#") })
        else { return name }
        return String(name.map { "/+#".contains($0) ? "_" : $0 })
    }

    /// The times a list shows, each beside its local form's member name.
    private static let listedTimes: [(FlightField, String)] = [
        (.scheduled, "scheduled_local"), (.estimated, "estimated_local"), (.actual, "actual_local"),
    ]

    /// A departure that left or will not leave: off its gate's screen.
    private static func isGone(_ status: FlightStatus) -> Bool {
        switch status {
        case .departed, .airborne, .cancelled, .deleted, .notOperating: true
        default: false
        }
    }

    /// One flight's entry of a gate or belt list: its `seq`, and its times in UTC and local.
    ///
    /// The list's JSON of the flight is rendered only when a list shows the flight now (a
    /// departure at a gate, not yet gone; an arrival at a belt, still expected there), and kept
    /// at its own size: at 10,000 flights the summaries were 6.6 MB, most of it never listed or
    /// room a growing writer left over.
    static func entry(_ state: FlightState, payload: [UInt8], context: PayloadContext) -> Entry {
        let status = state.status
        let onGateScreen = status.map { !isGone($0) } ?? true
        let onBeltScreen = status.map { $0 != .cancelled && $0 != .diverted && $0 != .deleted && $0 != .notOperating } ?? true
        let listed = state.key.direction == .departure ? state.gate != nil && onGateScreen : state.belt != nil && onBeltScreen
        return Entry(
            payload: payload, seq: state.seq, direction: state.key.direction, gate: state.gate, belt: state.belt,
            sortTime: (state.estimated ?? state.scheduled)?.millisecondsSinceEpoch ?? state.firstSeen.millisecondsSinceEpoch,
            onGateScreen: onGateScreen, onBeltScreen: onBeltScreen,
            summary: listed ? summary(state, context: context) : [], endsAt: state.endsAt, updatedAt: state.updatedAt,
            scheduled: state.scheduled)
    }

    /// What a gate or belt list shows of one flight: id, `seq`, airline and number, the other
    /// airport, the times in UTC and local, status, and a departure's codeshares.
    static func summary(_ state: FlightState, context: PayloadContext) -> [UInt8] {
        var writer = JSONWriter(capacity: 512)
        writer.beginObject()
        writer.field("flight_id", state.key.flightID)
        writer.field("seq", state.seq)
        writer.field("airline", state.key.airline)
        writer.field("number", state.key.number)
        let place: FlightField = state.key.direction == .departure ? .destination : .origin
        if let text = state[place]?.text { writer.field(place.name, text) }
        for (field, localName) in Self.listedTimes {
            if let time = state[field]?.time {
                writer.field(field.name, time)
                writer.field(localName, time, offsetSeconds: context.offsetSeconds(at: time))
            }
        }
        if let status = state.status { writer.field("status", status.rawValue) }
        if state.key.direction == .departure, !state.codeshares.isEmpty {
            writer.key("codeshares")
            FieldValue.list(state.codeshares).write(to: &writer)
        }
        writer.endObject()
        // A copy of its own size: the entry lives until the flight changes again.
        return Array(writer.bytes[...])
    }
}
