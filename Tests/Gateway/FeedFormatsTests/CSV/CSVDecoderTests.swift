import Configuration
import FeedFormats
import FlightModel
import Foundation
import Testing

@Suite("CSV decoder")
struct CSVDecoderTests {
    /// The shipped Heathrow mapping, read through the real configuration loader.
    static func heathrow() throws -> CSVDecoder {
        let snippet = try String(
            contentsOf: Samples.folder.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
                .appendingPathComponent("conf/feeds/heathrow-arrivals.toml"), encoding: .utf8)
        let config = try GatewayConfig.parse(
            """
            [airport]
            iata = "LHR"
            timezone = "Europe/London"
            [database]
            url = "postgresql:///flightedge"
            [mqtt]
            host = "127.0.0.1"
            client_id = "test"
            \(snippet)
            """, source: "heathrow.toml")
        return try CSVDecoder(feed: config.feeds[0], airport: config.airport)
    }

    private func decoder(_ options: [String: ConfigValue], zone: String = "Europe/London") throws(DecoderSetupError) -> CSVDecoder {
        try CSVDecoder(
            feed: FeedConfig(name: "fids", format: .csv, transport: .spoolDir, path: "/", framing: .lf, options: options),
            airport: AirportConfig(iata: "LHR", timezone: zone))
    }

    private let simple: [String: ConfigValue] = [
        "columns": .table(["flight": .integer(1), "scheduled": .integer(2), "gate": .integer(3), "status": .integer(4)]),
        "direction": .string("departure"),
        "status_map": .table(["X": .string("cancelled"), "BRD": .string("boarding")]),
    ]

    @Test func theHeathrowSampleReadsAsItsRowSays() throws {
        let updates = try Self.heathrow().decode(try Samples.bytes("airport-feeds/drt-lhr__live-arrivals-row.csv"), context: testContext)
        #expect(updates.count == 1)  // the header row is skipped
        let update = try #require(updates.first)
        #expect(update.key.flightID == "QR0005-20170309-A")
        #expect(update.text(.terminal) == "4")
        #expect(update.text(.origin) == "DOH")
        #expect(update.time(.scheduled) == "2017-03-09T22:00:00Z")  // GMT in March before the change
        #expect(update.time(.runwayEstimated) == "2017-03-09T21:32:00Z")
        #expect(update.time(.runwayActual) == "2017-03-09T21:33:00Z")
        #expect(update.time(.estimated) == "2017-03-09T21:43:00Z")
        #expect(update.time(.actual) == "2017-03-09T21:45:00Z")
        #expect(update.text(.stand) == "10")
    }

    @Test func emptyCellsSayNothing() throws {
        let updates = try Self.heathrow().decode(
            try Samples.bytes("airport-feeds/drt-lhr__live-arrivals-missing-values.csv"), context: testContext)
        let update = try #require(updates.first)
        #expect(update.key.flightID == "KL1033-20170309-A")
        #expect(update.time(.scheduled) == "2017-03-09T20:50:00Z")
        #expect(update[.runwayActual] == .absent)
        #expect(update[.stand] == .absent)
    }

    @Test func bothEndsOfASummerTimeChange() throws {
        let decoder = try decoder(simple.merging(["time_format": .string("yyyy-MM-dd HH:mm")]) { _, new in new })
        func scheduled(_ local: String) throws -> String? {
            try decoder.decode(Array("BA1,\(local),A1,OK".utf8), context: testContext).first?.time(.scheduled)
        }
        #expect(try scheduled("2026-01-15 12:00") == "2026-01-15T12:00:00Z")  // winter: GMT
        #expect(try scheduled("2026-07-15 12:00") == "2026-07-15T11:00:00Z")  // summer: BST
        #expect(try scheduled("2026-03-29 01:30") == "2026-03-29T01:30:00Z")  // in the spring gap: the offset before
        #expect(try scheduled("2026-03-29 02:30") == "2026-03-29T01:30:00Z")  // just after the change
        #expect(try scheduled("2026-10-25 01:30") == "2026-10-25T00:30:00Z")  // twice in autumn: the earlier
        #expect(try scheduled("2026-10-25 02:30") == "2026-10-25T02:30:00Z")
    }

    @Test func quotingDelimitersAndTheStatusMap() throws {
        let decoder = try decoder(simple.merging(["delimiter": .string(";")]) { _, new in new })
        let updates = try decoder.decode(
            Array("\"LX1234\";\"2026-11-24 10:00\";\"A;1 \"\"west\"\"\";X\nEZY12A;2026-11-24 11:00;B2;BRD\nU2123;2026-11-24 12:00;;HOLD\n".utf8),
            context: testContext)
        #expect(updates.count == 3)
        #expect(updates[0].text(.gate) == "A;1 \"west\"")
        #expect(updates[0].status == .cancelled)
        #expect(updates[0].text(.rawStatus) == "X")
        #expect(updates[1].key.flightID == "EZY0012A-20261124-D")
        #expect(updates[1].status == .boarding)
        #expect(updates[2].key.flightID == "U20123-20261124-D")
        #expect(updates[2][.status] == .absent)
        #expect(updates[2].text(.rawStatus) == "HOLD")
        #expect(updates[2][.gate] == .absent)
    }

    @Test func badRowsAreRejectedWithLineAndColumn() throws {
        let heathrow = try Self.heathrow()
        #expect(throws: DecodeError("expected 14 fields, found 3", at: "line 1")) {
            try heathrow.decode(Array("\"4\",\"QR005\",\"Qatar\"".utf8), context: testContext)
        }
        let row = #""4","QR005","Qatar Airways","DOH","Doha","25:00 09/03/2017","","","","","10","","","""#
        #expect(throws: DecodeError("\"25:00 09/03/2017\" is not a time like HH:mm dd/MM/yyyy", at: "line 1, column Scheduled")) {
            try heathrow.decode(Array(row.utf8), context: testContext)
        }
        let badFlight = #""4","Q5","Qatar Airways","DOH","Doha","22:00 09/03/2017","","","","","10","","","""#
        #expect(throws: DecodeError.self) { try heathrow.decode(Array(badFlight.utf8), context: testContext) }
    }

    @Test func setupErrorsNameTheirOption() {
        #expect(throws: DecoderSetupError("unknown field (see DESIGN.md §3)", option: "columns.gat")) {
            try decoder(["columns": .table(["flight": .integer(1), "gat": .integer(2)]), "direction": .string("arrival")])
        }
        #expect(throws: DecoderSetupError.self) { try decoder(simple.merging(["timezone": .string("Mars/Olympus")]) { _, new in new }) }
        #expect(throws: DecoderSetupError.self) { try decoder(simple.merging(["time_format": .string("HH:mm")]) { _, new in new }) }
        #expect(throws: DecoderSetupError.self) { try decoder(simple.merging(["colour": .string("blue")]) { _, new in new }) }
        #expect(throws: DecoderSetupError("must be a string", option: "time_format")) {
            try decoder(simple.merging(["time_format": .integer(5)]) { _, new in new })
        }
        #expect(throws: DecoderSetupError("needs yyyy, MM, dd, HH and mm, and no other letters", option: "time_format")) {
            try decoder(simple.merging(["time_format": .string("yyyy-MM-dd hh:mm")]) { _, new in new })
        }
        #expect(throws: DecoderSetupError.self) {
            try decoder(simple.merging(["status_map": .table(["X": .string("gone")])]) { _, new in new })
        }
        #expect(throws: DecoderSetupError.self) {
            try decoder(["columns": .table(["flight": .string("Flight")]), "direction": .string("arrival")])  // no header
        }
    }
}
