import ArgumentParser
import Configuration
import FlightModel
import Foundation
import GatewayDaemon
import HistoryStore
import JSON

/// `flightedge history FLIGHT_ID`: every recorded change of one flight.
struct HistoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "Show the change history of one flight, e.g. LX1234-20261124-D."
    )

    @Argument(help: "The flight id: {airline}{number}{suffix}-{yyyymmdd}-{A|D}.")
    var flightID: String

    @OptionGroup var config: ConfigOption

    @Flag(help: "One JSON object per change instead of a table.")
    var json = false

    func run() async throws {
        let loaded = try config.load()
        let changes: [FlightChange]
        do {
            let password = try SecretFile.read(path: loaded.database.passwordFile, credential: "db-password")
            changes = try HistoryReader(conninfo: loaded.database.url, password: password).changes(of: flightID)
        } catch {
            FileHandle.standardError.write(Data("flightedge history: \(error)\n".utf8))
            throw ExitCode(2)
        }
        // The table's cells as text, JSON values as stored.
        let rows: [[String?]] = changes.map { change in
            [String(change.seq), change.receivedAt, change.sourceTime, change.feed, change.field, change.oldJSON, change.newJSON]
        }
        if rows.isEmpty {
            FileHandle.standardError.write(Data("no history for \(flightID)\n".utf8))
            throw ExitCode(1)
        }
        if json {
            for row in rows { print(jsonLine(row)) }
        } else {
            printTable(rows)
        }
    }

    private func jsonLine(_ row: [String?]) -> String {
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

    private func printTable(_ rows: [[String?]]) {
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
