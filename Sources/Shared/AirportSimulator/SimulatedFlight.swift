import FlightModel
import JSON

/// One flight's life in the simulated day, turned into the updates an AODB would send.
struct SimulatedFlight {
    let airline: String
    let number: String
    let departure: Bool
    let airport: String
    let other: String
    let scheduled: Int64
    let date: String

    init(airline: String, number: String, departure: Bool, airport: String, other: String, scheduled: Int64, date: String) {
        self.airline = airline
        self.number = number
        self.departure = departure
        self.airport = airport
        self.other = other
        self.scheduled = scheduled
        self.date = date
    }

    typealias Fact = SimulatedUpdate.Fact
    typealias Value = SimulatedUpdate.Value

    /// Who the flight is, shared by all its messages.
    var identity: SimulatedUpdate.Flight {
        SimulatedUpdate.Flight(airline: airline, number: number, date: date, departure: departure, airport: airport, other: other)
    }

    func plan(using random: inout SeededGenerator, into messages: inout [AirportDay.Message], dayStart: Int64) {
        let minute: Int64 = 60
        // How late this flight will be: most on time, some a little, a few a lot.
        let roll = Int.random(in: 0..<100, using: &random)
        let delay: Int64 =
            roll < 60 ? Int64(Int.random(in: -5...4, using: &random)) * minute
            : roll < 85 ? Int64(Int.random(in: 5...20, using: &random)) * minute
            : Int64(Int.random(in: 21...150, using: &random)) * minute
        let cancelled = Int.random(in: 0..<100, using: &random) < 3
        let reinstated = cancelled && Bool.random(using: &random)
        let diverted = !departure && Int.random(in: 0..<100, using: &random) < 1
        let terminal = ["1", "2", "3"][Int.random(in: 0..<3, using: &random)]
        var gate = AirportDay.gates[Int.random(in: 0..<AirportDay.gates.count, using: &random)]
        let belt = String(Int.random(in: 1...12, using: &random))
        let codeshares = Int.random(in: 0..<100, using: &random) < 30 ? ["\(AirportDay.airlines[Int.random(in: 0..<AirportDay.airlines.count, using: &random)])\(Int.random(in: 1000...9999, using: &random))"] : []
        let estimated = scheduled + delay
        let identity = self.identity
        // Each message is sent a little before the moment it describes, never before the day starts.
        func at(_ offset: Int64, _ facts: [Fact]) {
            let time = max(dayStart, scheduled + offset)
            messages.append(
                AirportDay.Message(time: time, json: json(facts, sourceTime: time), update: SimulatedUpdate(flight: identity, facts: facts)))
        }

        var first: [Fact] = [
            ("origin", .text(departure ? airport : other)), ("destination", .text(departure ? other : airport)),
            ("scheduled", .time(scheduled)), ("terminal", .text(terminal)), ("status", .text("scheduled")),
        ]
        if !codeshares.isEmpty { first.append(("codeshares", .list(codeshares))) }
        at(-6 * 3600, first)

        // Estimates drift towards the real delay, every 15 minutes in the last three hours.
        var step: Int64 = -180 * minute
        while step < (departure ? -20 * minute : -10 * minute) {
            let progress = Double(step + 180 * minute) / Double(180 * minute)
            let noise = Int64(Int.random(in: -2...2, using: &random)) * minute
            var guess = scheduled + Int64(Double(delay) * progress) + noise
            guess -= guess % 60  // boards show whole minutes
            var facts: [Fact] = [("estimated", .time(max(scheduled - 10 * minute, guess)))]
            if delay >= 15 * minute && progress > 0.5 { facts.append(("status", .text("delayed"))) }
            at(step, facts)
            step += 15 * minute
        }

        if cancelled {
            at(-100 * minute, [("status", .text("cancelled")), ("remark", .text("Flight cancelled"))])
            if !reinstated { return }
            at(-70 * minute, [("status", .text("scheduled")), ("remark", nil)])
        }

        if departure {
            at(-150 * minute, [("checkin", .text("\(Int.random(in: 1...40, using: &random))-\(Int.random(in: 41...80, using: &random))")), ("status", .text("check-in"))])
            at(-75 * minute, [("gate", .text(gate))])
            if Int.random(in: 0..<100, using: &random) < 15 {
                gate = AirportDay.gates[Int.random(in: 0..<AirportDay.gates.count, using: &random)]
                at(-50 * minute + delay / 2, [("gate", .text(gate)), ("remark", .text("Gate change"))])
            }
            at(-40 * minute + delay, [("status", .text("gate-open")), ("estimated", .time(estimated))])
            at(-30 * minute + delay, [("status", .text("boarding")), ("remark", .text("Go to gate"))])
            at(-15 * minute + delay, [("status", .text("final-call"))])
            at(-8 * minute + delay, [("status", .text("gate-closed")), ("remark", nil)])
            at(delay, [("status", .text("departed")), ("actual", .time(estimated))])
            at(delay + 12 * minute, [("status", .text("airborne")), ("runway_actual", .time(estimated + 12 * minute))])
        } else {
            at(-90 * minute + delay, [("status", .text("airborne")), ("estimated", .time(estimated))])
            if diverted {
                at(-20 * minute + delay, [("status", .text("diverted")), ("destination", .text("BSL")), ("remark", .text("Diverted to Basel"))])
                return
            }
            at(-25 * minute + delay, [("gate", .text(gate)), ("stand", .text("E\(Int.random(in: 10...80, using: &random))"))])
            at(-20 * minute + delay, [("belt", .text(belt))])
            if Int.random(in: 0..<100, using: &random) < 5 {
                let newBelt = String(Int.random(in: 1...12, using: &random))
                at(-10 * minute + delay, [("belt", .text(newBelt))])
            }
            at(-5 * minute + delay, [("status", .text("landed")), ("runway_actual", .time(estimated - 5 * minute))])
            at(delay, [("status", .text("arrived")), ("actual", .time(estimated))])
        }
    }

    private func json(_ facts: [Fact], sourceTime: Int64) -> String {
        var writer = JSONWriter(capacity: 256)
        writer.beginObject()
        writer.field("airline", airline)
        writer.field("number", number)
        writer.field("date", date)
        writer.field("direction", departure ? "departure" : "arrival")
        for fact in facts {
            writer.key(fact.field)
            switch fact.value {
            case nil: writer.null()
            case .text(let text): writer.string(text)
            case .time(let seconds): writer.string(SimulatedClock.iso8601(seconds))
            case .list(let items):
                writer.beginArray()
                for item in items { writer.string(item) }
                writer.endArray()
            }
        }
        writer.field("source_time", SimulatedClock.iso8601(sourceTime))
        writer.endObject()
        return writer.string
    }
}
