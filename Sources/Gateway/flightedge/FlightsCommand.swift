import ArgumentParser
import Configuration
import Foundation
import HistoryStore

/// `flightedge flights`: the current board from the database, as a table in local time.
struct FlightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flights",
        abstract: "List the flights of a day as the database holds them now, in the airport's local time.",
        discussion: "Exit 0 with the table, 1 when no flight matches, 2 when the database cannot be read."
    )

    @OptionGroup var config: ConfigOption

    @Option(help: "The flights' date, yyyy-MM-dd (default: today at the airport).")
    var date: String?

    @Option(help: "Only the flights at this gate.")
    var gate: String?

    @Option(help: "Only the flights with this status (scheduled, delayed, boarding, departed, landed, cancelled…).")
    var status: String?

    func validate() throws {
        if let date, !HistoryCommand.isDate(date) { throw ValidationError("--date must be yyyy-MM-dd (got \(date))") }
    }

    func run() async throws {
        let loaded = try config.load()
        let zone = loaded.airport.zone
        let day = date ?? HistoryCommand.today(in: zone)
        let flights: [FlightSummary]
        do {
            let password = try SecretFile.read(path: loaded.database.passwordFile, credential: "db-password")
            flights = try FlightLookup(conninfo: loaded.database.url, password: password).board(date: day, gate: gate, status: status)
        } catch {
            StandardOutput.note("flightedge flights: \(error)")
            throw ExitCode(2)
        }
        let filters = [gate.map { "gate \($0)" }, status.map { "status \($0)" }].compactMap { $0 }
        let what = "\(loaded.airport.iata) on \(day)" + (filters.isEmpty ? "" : ", " + filters.joined(separator: ", "))
        if flights.isEmpty {
            StandardOutput.note("no flights for \(what)")
            throw ExitCode(1)
        }
        StandardOutput.ignoreBrokenPipe()
        let table = FlightTable(zone: zone)
        try StandardOutput.write("Flights of \(what): \(flights.count) (\(table.zoneNote))\n")
        try StandardOutput.write(table.lines(flights).joined(separator: "\n") + "\n")
    }
}
