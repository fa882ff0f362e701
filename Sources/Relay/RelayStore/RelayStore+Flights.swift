import Postgres

/// A flight as the relay knows it from its events (`relay.flights`): what the passenger page shows.
public struct FlightRecord: Sendable, Equatable {
    public var flightID: String
    public var airport: String
    public var airline: String
    public var number: String
    /// `YYYY-MM-DD`, the flight's date as in its `flight_id`.
    public var flightDate: String
    /// `departure` or `arrival` (the side of the airport that sent the events).
    public var direction: String
    /// Grows with every event folded in: the passenger page's stream event id.
    public var version: Int64
    public var origin: String?
    public var destination: String?
    /// ISO 8601 UTC.
    public var scheduled: String?
    /// The scheduled time in the airport's zone with its offset (`2026-11-24T07:30:00+01:00`).
    public var scheduledLocal: String?
    /// ISO 8601 UTC.
    public var estimated: String?
    public var actual: String?
    public var status: String?
    public var gate: String?
    public var terminal: String?
    public var belt: String?
    public var remark: String?
    public var delayMinutes: Int?
    /// When the relay last folded an event in, ISO 8601 UTC.
    public var updatedAt: String
}

extension RelayStore {
    /// The flights of `airline number` on `date` the relay has events of (its departure and its
    /// arrival side, departures first); empty when it has none.
    public func flights(airline: String, number: String, date: String) async throws -> [FlightRecord] {
        try await run("cannot look up flight \(airline)\(number) on \(date)") { connection in
            try connection.query(
                Self.flightColumns + " WHERE airline = $1 AND number = $2 AND flight_date = $3 ORDER BY direction DESC, flight_id",
                [.text(airline), .text(number), .text(date)]
            ).rows.compactMap(Self.flightRecord)
        }
    }

    /// The flight with that id, nil when the relay has no event of it.
    public func flight(id: String) async throws -> FlightRecord? {
        try await run("cannot read flight \(id)") { connection in
            try connection.query(Self.flightColumns + " WHERE flight_id = $1", [.text(id)]).rows.first.flatMap(Self.flightRecord)
        }
    }

    private static let flightColumns = """
        SELECT flight_id, airport, airline, number, flight_date, direction, version,
            flight->>'origin', flight->>'destination', flight->>'scheduled', flight->>'scheduled_local',
            state->>'estimated', state->>'actual', state->>'status', state->>'gate', state->>'terminal',
            state->>'belt', state->>'remark', state->>'delay_minutes',
            to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
        FROM relay.flights
        """

    private static func flightRecord(_ row: [String?]) -> FlightRecord? {
        guard let id = row[0], let version = row[6].flatMap({ Int64($0) }) else { return nil }
        return FlightRecord(
            flightID: id, airport: row[1] ?? "", airline: row[2] ?? "", number: row[3] ?? "", flightDate: row[4] ?? "",
            direction: row[5] ?? "", version: version, origin: row[7], destination: row[8], scheduled: row[9],
            scheduledLocal: row[10], estimated: row[11], actual: row[12], status: row[13], gate: row[14], terminal: row[15],
            belt: row[16], remark: row[17], delayMinutes: row[18].flatMap { Int($0) }, updatedAt: row[19] ?? "")
    }
}
