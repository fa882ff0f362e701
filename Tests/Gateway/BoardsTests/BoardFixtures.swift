import Boards
import FlightModel
import Foundation

/// Flights for the board suites, built as the state engine leaves them.
enum BoardFixtures {
    static let date = FlightDate("2026-11-24")!
    static let settings = BoardSettings(
        airport: "ZRH", zone: ZoneRules.named("Europe/Zurich")!, languages: [.en, .de])

    /// `2026-11-24T{hh:mm}:00Z`
    static func time(_ clock: String) -> Timestamp { Timestamp(iso8601: "2026-11-24T\(clock):00Z")! }

    static func state(
        _ airline: String = "LX", _ number: String = "1234", direction: Direction = .departure,
        _ fields: [(FlightField, FieldValue)] = []
    ) -> FlightState {
        let key = try! FlightKey(airline: airline, number: number, date: date, direction: direction)
        var state = FlightState(key: key, seq: 1, firstSeen: time("04:00"))
        for (field, value) in fields {
            state.setSlot(field, .init(value: value, sourceTime: nil, feed: "aodb", precedence: 10))
        }
        return state
    }

    static func flight(
        _ airline: String = "LX", _ number: String = "1234", direction: Direction = .departure,
        _ fields: [(FlightField, FieldValue)] = []
    ) -> BoardFlight {
        BoardFlight(state(airline, number, direction: direction, fields))
    }
}

extension BoardFixtures {
    /// LX1234, a departure, with `fields`.
    static func flight(_ fields: [(FlightField, FieldValue)]) -> BoardFlight {
        flight("LX", "1234", direction: .departure, fields)
    }
}
