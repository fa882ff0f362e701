import FlightModel
import Foundation
import Publisher
import Testing

/// The gate and belt lists (docs/MQTT.md, `flightedge.gate/1`, `flightedge.belt/1`): the
/// airport's zone and local times beside the UTC ones, each flight's `seq`, and a list `seq`
/// that only grows per topic, so a board can drop a stale retained message.
@Suite("RetainedBoard: gate and belt lists")
struct RetainedBoardTests {
    static let zurich = PayloadContext(airport: "ZRH", zone: ZoneRules.named("Europe/Zurich")!)

    static func time(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }

    /// A flight as the engine would hand it over: `seq`, gate or belt, times, status.
    static func flight(
        _ number: String, _ direction: Direction, seq: Int64, date: String = "2026-12-05", gate: String? = nil,
        belt: String? = nil, scheduled: String? = nil, estimated: String? = nil, actual: String? = nil,
        status: FlightStatus? = nil
    ) -> FlightState {
        let key = try! FlightKey(airline: "LX", number: number, date: FlightDate(date)!, direction: direction)
        var state = FlightState(key: key, seq: seq, firstSeen: time("\(date)T00:00:00Z"))
        func set(_ field: FlightField, _ value: FieldValue?) {
            guard let value else { return }
            state.setSlot(field, .init(value: value, sourceTime: nil, feed: "aodb", precedence: 0))
        }
        set(direction == .departure ? .destination : .origin, .text("LHR"))
        set(.gate, gate.map(FieldValue.text))
        set(.belt, belt.map(FieldValue.text))
        set(.scheduled, scheduled.map { .time(time($0)) })
        set(.estimated, estimated.map { .time(time($0)) })
        set(.actual, actual.map { .time(time($0)) })
        set(.status, status.map(FieldValue.status))
        return state
    }

    static func object(_ message: OutgoingMessage?) throws -> [String: Any] {
        let message = try #require(message)
        return try #require(try JSONSerialization.jsonObject(with: Data(message.payload)) as? [String: Any])
    }

    static func list(_ messages: [OutgoingMessage], _ topic: String) throws -> [String: Any] {
        try object(messages.last { $0.topic == "flightedge/ZRH/\(topic)" })
    }

    static func seq(_ payload: [String: Any]) -> Int64? { (payload["seq"] as? NSNumber)?.int64Value }

    /// Topics and schemas as docs/MQTT.md names them; a gate or belt name's MQTT separators and
    /// wildcards become `_` in its topic level, and stay as they are in the payload.
    @Test func topicsAndSchemasOfFlightsGatesAndBelts() throws {
        var board = RetainedBoard(topicRoot: "flightedge/ZRH", stateQoS: 1, context: Self.zurich)
        let now = Self.time("2026-12-05T10:02:00Z")
        let departure = Self.flight("1234", .departure, seq: 3, gate: "A/1+#", scheduled: "2026-12-05T11:30:00Z")
        let arrival = Self.flight("18", .arrival, seq: 4, belt: "7", scheduled: "2026-12-05T10:30:00Z")
        let messages = board.update([(departure, [1]), (arrival, [2])], now: now)
        #expect(messages.map(\.topic) == [
            "flightedge/ZRH/flights/LX1234-20261205-D", "flightedge/ZRH/flights/LX0018-20261205-A",
            "flightedge/ZRH/gates/A_1__", "flightedge/ZRH/belts/7",
        ])
        #expect(messages.map(\.schema) == [FlightPayload.schema, FlightPayload.schema, "flightedge.gate/1", "flightedge.belt/1"])
        #expect(try Self.list(messages, "gates/A_1__")["gate"] as? String == "A/1+#")
        #expect(try Self.list(messages, "belts/7")["schema"] as? String == "flightedge.belt/1")
    }

    @Test func aGateListGivesTheZoneLocalTimesWithTheirOffsetAndEachFlightsSeq() throws {
        var board = RetainedBoard(topicRoot: "flightedge/ZRH", stateQoS: 1, context: Self.zurich)
        let now = Self.time("2026-12-05T10:02:00Z")
        let departure = Self.flight(
            "1234", .departure, seq: 17, gate: "B34", scheduled: "2026-12-05T11:30:00Z",
            estimated: "2026-12-05T11:55:00Z", status: .boarding)
        let messages = board.update([(departure, [])], now: now)
        let gate = try Self.list(messages, "gates/B34")
        #expect(gate["schema"] as? String == "flightedge.gate/1")
        #expect(gate["time_zone"] as? String == "Europe/Zurich")
        #expect(gate["as_of"] as? String == "2026-12-05T10:02:00Z")
        #expect(gate["as_of_local"] as? String == "2026-12-05T11:02:00+01:00")
        #expect(Self.seq(gate).map { $0 >= now.millisecondsSinceEpoch } == true)
        let entry = try #require((gate["departures"] as? [[String: Any]])?.first)
        #expect((entry["seq"] as? NSNumber)?.int64Value == 17)
        // The UTC members as before, the local ones beside them.
        #expect(entry["scheduled"] as? String == "2026-12-05T11:30:00Z")
        #expect(entry["scheduled_local"] as? String == "2026-12-05T12:30:00+01:00")
        #expect(entry["estimated"] as? String == "2026-12-05T11:55:00Z")
        #expect(entry["estimated_local"] as? String == "2026-12-05T12:55:00+01:00")
        #expect(entry["actual_local"] == nil)
    }

    @Test func localTimesTakeTheOffsetOfTheirOwnInstantAcrossTheSpringDSTChange() throws {
        // Zurich goes from +01:00 to +02:00 at 2026-03-29T01:00:00Z.
        var board = RetainedBoard(topicRoot: "flightedge/ZRH", stateQoS: 1, context: Self.zurich)
        let now = Self.time("2026-03-29T00:30:00Z")
        let arrival = Self.flight(
            "1235", .arrival, seq: 4, date: "2026-03-29", belt: "7", scheduled: "2026-03-29T00:50:00Z",
            estimated: "2026-03-29T01:10:00Z", actual: "2026-03-29T01:12:00Z", status: .arrived)
        let belt = try Self.list(board.update([(arrival, [])], now: now), "belts/7")
        #expect(belt["schema"] as? String == "flightedge.belt/1")
        #expect(belt["time_zone"] as? String == "Europe/Zurich")
        #expect(belt["as_of_local"] as? String == "2026-03-29T01:30:00+01:00")
        let entry = try #require((belt["arrivals"] as? [[String: Any]])?.first)
        #expect((entry["seq"] as? NSNumber)?.int64Value == 4)
        #expect(entry["scheduled_local"] as? String == "2026-03-29T01:50:00+01:00")
        #expect(entry["estimated_local"] as? String == "2026-03-29T03:10:00+02:00")
        #expect(entry["actual"] as? String == "2026-03-29T01:12:00Z")
        #expect(entry["actual_local"] as? String == "2026-03-29T03:12:00+02:00")

        // Summer time: +02:00 for as_of too.
        let summer = Self.time("2026-07-15T12:00:00Z")
        let later = Self.flight(
            "1236", .arrival, seq: 1, date: "2026-07-15", belt: "7", scheduled: "2026-07-15T12:20:00Z")
        let july = try Self.list(board.update([(later, [])], now: summer), "belts/7")
        #expect(july["as_of_local"] as? String == "2026-07-15T14:00:00+02:00")
    }

    @Test("a flight joins a gate list once it has a gate, leaves it when it departs, and is back with its details on a return to the gate")
    func aFlightOffTheListsJoinsThemWithItsDetails() throws {
        var board = RetainedBoard(topicRoot: "flightedge/ZRH", stateQoS: 1, context: Self.zurich)
        let now = Self.time("2026-12-05T10:00:00Z")
        let scheduled = "2026-12-05T12:00:00Z"
        #expect(board.update([(Self.flight("0007", .departure, seq: 1, scheduled: scheduled), [])], now: now).count == 1)
        let joined = try Self.list(
            board.update([(Self.flight("0007", .departure, seq: 2, gate: "E7", scheduled: scheduled), [])], now: now), "gates/E7")
        #expect((joined["departures"] as? [[String: Any]])?.map { $0["seq"] as? NSNumber } == [2])
        let left = try Self.list(
            board.update(
                [(Self.flight("0007", .departure, seq: 3, gate: "E7", scheduled: scheduled, status: .departed), [])], now: now),
            "gates/E7")
        #expect((left["departures"] as? [[String: Any]])?.isEmpty == true)
        let back = try Self.list(
            board.update(
                [(Self.flight("0007", .departure, seq: 4, gate: "E7", scheduled: scheduled, status: .boarding), [])], now: now),
            "gates/E7")
        let entry = try #require((back["departures"] as? [[String: Any]])?.first)
        #expect((entry["seq"] as? NSNumber)?.int64Value == 4)
        #expect(entry["scheduled_local"] as? String == "2026-12-05T13:00:00+01:00")
        #expect(entry["status"] as? String == "boarding")
    }

    @Test func aGateListsSeqGrowsWhenItsNewestFlightLeavesTheGate() throws {
        var board = RetainedBoard(topicRoot: "flightedge/ZRH", stateQoS: 1, context: Self.zurich)
        let now = Self.time("2026-12-05T10:00:00Z")
        let first = Self.flight("0001", .departure, seq: 5, gate: "A1", scheduled: "2026-12-05T12:00:00Z")
        let second = Self.flight("0002", .departure, seq: 90, gate: "A1", scheduled: "2026-12-05T13:00:00Z")
        let both = try Self.list(board.update([(first, []), (second, [])], now: now), "gates/A1")
        #expect((both["departures"] as? [Any])?.count == 2)
        let before = try #require(Self.seq(both))

        // The flight with the highest seq moves to A2: the listed flights' highest seq falls
        // from 90 to 5, the list's seq still grows (same millisecond: the clock does not help).
        let moved = Self.flight("0002", .departure, seq: 91, gate: "A2", scheduled: "2026-12-05T13:00:00Z")
        let messages = board.update([(moved, [])], now: now)
        let alone = try Self.list(messages, "gates/A1")
        let listed = (alone["departures"] as? [[String: Any]])?.compactMap { $0["flight_id"] as? String }
        #expect(listed == ["LX0001-20261205-D"])
        let after = try #require(Self.seq(alone))
        #expect(after > before)
        // The other list made in the same commit has its own, later number.
        #expect(try Self.seq(Self.list(messages, "gates/A2")).map { $0 > after } == true)

        // A clock set back does not set it back; nor do a clear (housekeeping) or a birth.
        let earlier = Self.time("2026-12-05T09:00:00Z")
        let cleared = try Self.seq(Self.list(board.remove(["LX0001-20261205-D"], now: earlier), "gates/A1"))
        #expect(cleared.map { $0 > after } == true)
        let birth = try Self.seq(Self.list(board.birth(now: earlier), "gates/A2"))
        #expect(birth.map { $0 > cleared ?? .max } == true)
    }

    @Test func aRestartedGatewayGoesOnAboveTheNumbersItGaveBefore() throws {
        // No stored counter: the floor is the publish time, and a restart takes longer than
        // the lead a burst of lists builds over the clock.
        let now = Self.time("2026-12-05T10:00:00Z")
        var before = RetainedBoard(topicRoot: "flightedge/ZRH", stateQoS: 1, context: Self.zurich)
        let flights = (1...50).map { Self.flight(String(format: "%04d", $0), .departure, seq: 1, gate: "G\($0)") }
        let burst = before.update(flights.map { ($0, []) }, now: now)
        let gateSeqs = try burst.filter { $0.topic.contains("/gates/") }.compactMap { try Self.seq(Self.object($0)) }
        #expect(gateSeqs.count == 50)
        let highest = try #require(gateSeqs.max())

        var restarted = RetainedBoard(topicRoot: "flightedge/ZRH", stateQoS: 1, context: Self.zurich)
        let oneSecondLater = Timestamp(millisecondsSinceEpoch: now.millisecondsSinceEpoch + 1_000)
        let birth = restarted.update(flights.prefix(1).map { ($0, []) }, now: oneSecondLater)
        #expect(try Self.seq(Self.list(birth, "gates/G1")).map { $0 > highest } == true)
    }
}
