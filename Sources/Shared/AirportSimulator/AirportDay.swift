import FlightModel

/// A synthetic but realistic airport day: flights are scheduled, their estimates drift, gates
/// are assigned and sometimes changed, boarding starts and ends, flights depart and arrive on
/// belts, and a few are cancelled, reinstated or diverted. Deterministic for a given seed.
///
/// The output is a time-ordered list of normalized updates (DESIGN.md §3), each carrying only
/// what changed, as an AODB would send them.
public struct AirportDay: Sendable {
    /// One message of the simulated feed.
    public struct Message: Sendable {
        /// Simulated time the message is sent, seconds since 1970.
        public var time: Int64
        /// The normalized update as one JSON line (no newline).
        public var json: String
        /// What the update says, for the other formats' writers (``SimulatedFeedWriter``).
        var update: SimulatedUpdate
    }

    public var airport: String
    public var flights: Int
    public var seed: UInt64
    /// Midnight UTC of the simulated day, seconds since 1970; no message is sent before it.
    public var dayStart: Int64
    /// The first scheduled time of the day, seconds since 1970: schedules spread over the
    /// 17.5 hours from here. Each flight's date is the UTC date of its own schedule, so a day
    /// that opens in the evening has flights after midnight on the next date.
    public var firstSchedule: Int64

    /// The day of `dayStart` (midnight UTC): schedules 05:00–22:30 UTC, all on that date.
    public init(airport: String = "ZRH", flights: Int, seed: UInt64, dayStart: Int64) {
        self.airport = airport
        self.flights = flights
        self.seed = seed
        self.dayStart = dayStart
        self.firstSchedule = dayStart + 5 * 3600
        self.scheduleStep = 300
    }

    /// A day whose first flight is scheduled at `firstSchedule`, any time of day (the demo's
    /// day opens a little before now, so flights depart within minutes of the start). Messages
    /// describing moments before `firstSchedule - 6 h` are sent at that moment. Schedules fall on
    /// any minute, not every fifth, so the messages of a watched demo come every minute instead
    /// of in a burst every five.
    public init(airport: String = "ZRH", flights: Int, seed: UInt64, firstSchedule: Int64) {
        self.airport = airport
        self.flights = flights
        self.seed = seed
        self.dayStart = firstSchedule - 6 * 3600
        self.firstSchedule = firstSchedule - firstSchedule % 60
        self.scheduleStep = 60
    }

    /// Seconds between possible scheduled times.
    private let scheduleStep: Int64

    static let airlines = [
        "LX", "LH", "BA", "AF", "KL", "U2", "SK", "OS", "TK", "EK", "QR", "UA", "AC", "DL", "SN", "IB", "AZ", "TP", "LO", "AY",
    ]
    static let airports = [
        "LHR", "FRA", "CDG", "AMS", "VIE", "IST", "DXB", "DOH", "JFK", "YUL", "BRU", "MAD", "BCN", "FCO", "CPH", "OSL",
        "LIS", "WAW", "HEL", "ATH", "PRG", "MUC", "DUB", "EWR", "ORD", "SIN", "BKK", "GVA", "NCE", "PMI",
    ]
    static let gates: [String] = (1...20).map { "A\($0)" } + (30...45).map { "B\($0)" } + (1...12).map { "D\($0)" }
        + (50...60).map { "E\($0)" }

    /// Every message of the day, in time order.
    public func messages() -> [Message] {
        var random = SeededGenerator(seed: seed)
        var messages: [Message] = []
        messages.reserveCapacity(flights * 22)
        var usedNumbers: Set<String> = []
        for index in 0..<flights {
            let airline = Self.airlines[Int(random.next() % UInt64(Self.airlines.count))]
            var number = ""
            repeat {
                number = String(Int.random(in: 1...9999, using: &random))
            } while !usedNumbers.insert(airline + number).inserted
            let departure = index % 2 == 0
            let other = Self.airports[Int.random(in: 0..<Self.airports.count, using: &random)]
            // Schedules spread over 17.5 hours from the first, every `scheduleStep` seconds.
            let slots = Int(63_000 / scheduleStep)
            let scheduled = firstSchedule + Int64(Int.random(in: 0..<slots, using: &random)) * scheduleStep
            let flight = SimulatedFlight(
                airline: airline, number: number, departure: departure, airport: airport, other: other,
                scheduled: scheduled, date: SimulatedClock.dateString(scheduled))
            flight.plan(using: &random, into: &messages, dayStart: dayStart)
        }
        messages.sort { $0.time < $1.time }
        return messages
    }
}

