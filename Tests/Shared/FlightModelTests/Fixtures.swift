import FlightModel
import Testing

/// Flights, times and updates shared by the suites.
enum Fixtures {
    static let date = FlightDate("2026-11-24")!
    /// LX1234-20261124-D
    static let departure = try! FlightKey(airline: "LX", number: "1234", date: date, direction: .departure)
    /// BA0117A-20261124-A
    static let arrival = try! FlightKey(airline: "BA", number: "117", suffix: "A", date: date, direction: .arrival)

    /// `2026-11-24T{hh:mm[:ss]}Z`
    static func time(_ clock: String) -> Timestamp {
        Timestamp(iso8601: "2026-11-24T\(clock)Z")!
    }

    /// When the engine received the updates of a test, unless it says otherwise.
    static let received = time("05:00:00")

    /// An update from `feed` (precedence 10 for `aodb`, 5 for `fids` in ``engine()``); a nil
    /// value clears the field.
    static func update(
        _ facts: [(FlightField, FieldValue?)], key: FlightKey = departure, feed: String = "aodb",
        at sourceTime: String? = nil
    ) -> FlightUpdate {
        FlightUpdate(key: key, feed: feed, sourceTime: sourceTime.map(time), facts: facts)
    }

    /// The engine of the rules tests: threshold 15, step 5; `aodb` 10, `fids` 5.
    static func engine() -> StateEngine {
        StateEngine(
            airport: "ZRH", policy: EventPolicy(delayThresholdMinutes: 15, delayStepMinutes: 5), precedence: ["aodb": 10, "fids": 5])
    }
}

extension StateEngine {
    /// Applies an update received at ``Fixtures/received`` and requires that it changed something.
    mutating func applied(_ update: FlightUpdate, receivedAt: Timestamp = Fixtures.received) throws -> AppliedUpdate {
        try #require(apply(update, receivedAt: receivedAt))
    }

    /// The kinds of the events an update fires (none when it changed nothing).
    mutating func kinds(_ update: FlightUpdate) -> [EventKind] {
        apply(update, receivedAt: Fixtures.received)?.events.map(\.kind) ?? []
    }
}

extension AppliedUpdate {
    /// The first event, required to exist (a missing event fails the test instead of trapping).
    var firstEvent: FlightEvent {
        get throws { try #require(events.first) }
    }
}
