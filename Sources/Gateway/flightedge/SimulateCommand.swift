import AirportSimulator
import ArgumentParser
import Foundation

/// `flightedge simulate`: a realistic synthetic airport day as a feed.
struct SimulateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Generate a realistic synthetic airport day, to stdout or a TCP feed.",
        discussion: """
            Flights are scheduled over the day; estimates drift, gates are assigned and changed, boarding \
            starts, flights depart and arrive on belts; a few are cancelled, reinstated or diverted. \
            The same --seed gives the same day. --format aidx writes each update as an IATA AIDX 21.3 \
            FlightLegNotifRQ (read it with framing = "stx-etx"); --format mvt writes the movements among \
            them as Type B MVT and DIV messages (SOH heading, STX text, ETX), and skips what MVT cannot say.
            """
    )

    @Option(help: "Number of flights (half arrivals, half departures).")
    var flights = 200

    @Option(help: "Simulated seconds per real second; 0 sends as fast as possible.")
    var speed: Double = 0

    @Option(help: "Output format: jsonl, aidx or mvt.")
    var format = "jsonl"

    @Option(help: "Send to a tcp-listen feed at HOST:PORT instead of stdout.")
    var to: String?

    @Option(help: "Seed of the random day.")
    var seed: UInt64 = 1

    @Option(help: "The day to simulate, yyyy-MM-dd (default: today, UTC).")
    var date: String?

    @Option(help: "Start at this UTC time of the day, HH:mm (messages before it are sent at once).")
    var start: String?

    @Option(help: "Airport IATA code.")
    var airport = "ZRH"

    @Flag(help: "The demo's day: it opens 30 minutes before now and is sent from now, so flights depart within minutes and only the state so far comes at once (not with --date or --start).")
    var now = false

    func validate() throws {
        guard SimulatedFormat(rawValue: format) != nil else {
            throw ValidationError("--format must be jsonl, aidx or mvt (got \(format))")
        }
        guard flights > 0 && flights <= 200_000 else { throw ValidationError("--flights must be 1...200000") }
        guard speed >= 0 else { throw ValidationError("--speed must be 0 (as fast as possible) or more") }
        if let date, SimulatedClockPublic.midnight(date) == nil { throw ValidationError("--date must be yyyy-MM-dd") }
        if let start, Self.secondsOfDay(start) == nil {
            throw ValidationError("--start must be a UTC time of day, HH:mm from 00:00 to 23:59 (got \(start))")
        }
        if now && (date != nil || start != nil) {
            throw ValidationError("--now starts the day from the current time: leave out --date and --start")
        }
        guard airport.count == 3, airport.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
            throw ValidationError("--airport must be an IATA code, three capital letters such as ZRH (got \(airport))")
        }
    }

    /// Seconds after midnight of an `HH:mm` time of day; nil when it is not one.
    static func secondsOfDay(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hours = Int64(parts[0]), let minutes = Int64(parts[1]), (0...23).contains(hours), (0...59).contains(minutes)
        else { return nil }
        return hours * 3600 + minutes * 60
    }

    func run() async throws {
        let dayStart: Int64
        if let date {
            dayStart = SimulatedClockPublic.midnight(date)!
        } else {
            let now = Int64(Date().timeIntervalSince1970)
            dayStart = now - now % 86_400
        }
        let opened = Int64(Date().timeIntervalSince1970)
        let day =
            now
            ? AirportDay(airport: airport, flights: flights, seed: seed, firstSchedule: opened - 30 * 60)
            : AirportDay(airport: airport, flights: flights, seed: seed, dayStart: dayStart)
        let messages = day.messages()
        let output: FeedOutput
        do {
            output = try to.map { try FeedOutput(connectingTo: $0) } ?? FeedOutput.standardOutput
        } catch {
            FileHandle.standardError.write(Data("flightedge simulate: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var startTime = messages.first?.time ?? dayStart
        if let start, let seconds = Self.secondsOfDay(start) { startTime = dayStart + seconds }
        if now { startTime = opened }
        var writer = SimulatedFeedWriter(format: SimulatedFormat(rawValue: format)!)
        var written = 0
        let began = ContinuousClock.now
        var pending: [UInt8] = []
        pending.reserveCapacity(1 << 16)
        for message in messages {
            if speed > 0 && message.time > startTime {
                let due = began + .seconds(Double(message.time - startTime) / speed)
                if due > ContinuousClock.now {
                    try output.write(pending)
                    pending.removeAll(keepingCapacity: true)
                    try await Task.sleep(until: due)
                }
            }
            guard let frame = writer.frame(for: message) else { continue }
            pending.append(contentsOf: frame)
            written += 1
            if pending.count > 60_000 {
                try output.write(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
        try output.write(pending)
        output.close()
        let said = written == messages.count ? "" : " (\(messages.count - written) of the day's updates have no \(format) form)"
        FileHandle.standardError.write(Data("simulate: \(written) \(format == "jsonl" ? "updates" : "\(format) messages") for \(flights) flights\(said)\n".utf8))
    }
}
