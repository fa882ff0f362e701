import ArgumentParser
import Configuration
import FlightModel
import Foundation
import GatewayDaemon
import HistoryStore
import JSON

/// `flightedge history FLIGHT`: every recorded change of one flight, found by its id or by its
/// flight number (and date).
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the change history of one flight, by id (LX1234-20261124-D) or flight number (LX1234 [DATE]).",
        discussion: """
            Case does not matter. A flight number that matches one flight shows its history; one that \
            matches several lists them with their ids (give the date, or the id). Exit 1 when nothing matches.
            """
    )

    @Argument(help: "The flight id {airline}{number}{suffix}-{yyyymmdd}-{A|D}, or a flight number such as LX1234.")
    var flight: String

    @Argument(help: "With a flight number: the flight's date, yyyy-MM-dd.")
    var date: String?

    @OptionGroup var config: ConfigOption

    @Flag(help: "One JSON object per change instead of a table.")
    var json = false

    func validate() throws {
        if let date, !Self.isDate(date) { throw ValidationError("the date must be yyyy-MM-dd (got \(date))") }
    }

    func run() async throws {
        let loaded = try config.load()
        let typed = flight.uppercased().filter { !$0.isWhitespace }
        var flightID = typed
        let changes: [FlightChange]
        do {
            let password = try SecretFile.read(path: loaded.database.passwordFile, credential: "db-password")
            if !Self.isFlightID(typed) {
                let matches = try FlightLookup(conninfo: loaded.database.url, password: password).flights(numbered: typed, on: date)
                guard matches.count == 1 else {
                    try explain(matches, zone: loaded.airport.zone)
                    return
                }
                flightID = matches[0].flightID
            }
            changes = try HistoryReader(conninfo: loaded.database.url, password: password).changes(of: flightID)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            StandardOutput.note("flightedge history: \(error)")
            throw ExitCode(2)
        }
        // The table's cells as text, JSON values as stored.
        let rows: [[String?]] = changes.map { change in
            [String(change.seq), change.receivedAt, change.sourceTime, change.feed, change.field, change.oldJSON, change.newJSON]
        }
        if rows.isEmpty {
            StandardOutput.note(
                "no history for \(flightID): no flight has this id. Ids look like LX1234-20261124-D; "
                    + "`flightedge history LX1234` finds a flight by number, `flightedge flights` lists a day's flights")
            throw ExitCode(1)
        }
        if json {
            for row in rows { print(jsonLine(row, flightID: flightID)) }
        } else {
            printTable(rows, flightID: flightID)
        }
    }

    /// Several flights with this number: list them; none: say what to try.
    private func explain(_ matches: [FlightSummary], zone: ZoneRules) throws {
        let number = flight.uppercased().filter { !$0.isWhitespace }
        let when = date.map { " on \($0)" } ?? ""
        if matches.isEmpty {
            StandardOutput.note(
                "no flight \(number)\(when) in the database. Give a flight number such as LX1234 (optionally with its "
                    + "date, yyyy-MM-dd) or an id such as LX1234-20261124-D; `flightedge flights --date DATE` lists a day's flights")
            throw ExitCode(1)
        }
        let table = FlightTable(zone: zone)
        print("\(matches.count) flights \(number)\(when) (\(table.zoneNote)); give the date or the id for one's history:")
        print(table.lines(matches).joined(separator: "\n"))
    }

    /// `LX1234-20261124-D`, in capitals.
    static func isFlightID(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count == 3 && parts[1].count == 8 && parts[1].allSatisfy(\.isASCII) && parts[1].allSatisfy(\.isNumber)
            && (parts[2] == "A" || parts[2] == "D")
    }

    /// A `yyyy-MM-dd` calendar date.
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
            let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        return (1...12).contains(month) && (1...31).contains(day)
    }

    /// Today's date at the airport, `yyyy-MM-dd`.
    static func today(in zone: ZoneRules) -> String {
        let now = Timestamp(Date())
        return String(now.iso8601(offsetSeconds: zone.offsetSeconds(at: now)).prefix(10))
    }

    private func jsonLine(_ row: [String?], flightID: String) -> String {
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("flight_id", flightID)
        writer.key("seq")
        writer.raw(Array((row[0] ?? "0").utf8))
        writer.field("received_at", row[1])
        writer.field("source_time", row[2])
        writer.field("feed", row[3])
        writer.field("field", row[4])
        writer.key("old_value")
        writer.raw(Array((row[5] ?? "null").utf8))
        writer.key("new_value")
        writer.raw(Array((row[6] ?? "null").utf8))
        writer.endObject()
        return writer.string
    }

    private func printTable(_ rows: [[String?]], flightID: String) {
        let headers = ["SEQ", "RECEIVED (UTC)", "SOURCE TIME", "FEED", "FIELD", "OLD", "NEW"]
        let cells = rows.map { row in row.map { display($0) } }
        var widths = headers.map(\.count)
        for row in cells {
            for (index, cell) in row.enumerated() { widths[index] = min(40, max(widths[index], cell.count)) }
        }
        func line(_ values: [String]) -> String {
            zip(values, widths).map { value, width in
                let clipped = value.count > width ? String(value.prefix(width - 1)) + "…" : value
                return clipped.padding(toLength: width, withPad: " ", startingAt: 0)
            }.joined(separator: "  ")
        }
        print("History of \(flightID) (\(rows.count) changes)")
        print(line(headers))
        print(line(widths.map { String(repeating: "─", count: $0) }))
        var previousSeq: String?
        for row in cells {
            var shown = row
            if row[0] == previousSeq { shown[0] = ""; shown[1] = ""; shown[2] = ""; shown[3] = "" }
            previousSeq = row[0]
            print(line(shown))
        }
    }

    /// JSON strings shown without quotes; null as "—".
    private func display(_ value: String?) -> String {
        guard let value else { return "—" }
        if value == "null" { return "—" }
        if value.hasPrefix("\"") && value.hasSuffix("\"") && value.count >= 2 {
            return String(value.dropFirst().dropLast())
        }
        return value
    }
}
