import FlightEdgeTestSupport
import FlightModel
import Foundation
import JSON
import MQTT
import Postgres
import Testing

/// Airport formats through a real daemon: AIDX over `tcp-listen` with `stx-etx` framing (and
/// MVT through `tail-file`), checking the history and the events published.
@Suite("Airport formats end to end")
struct FeedFormatsEndToEndTests {
    /// An AIDX notification for LX1234 departing from `airport`, with gate and estimate.
    static func aidx(airport: String, gate: String, estimated: String, stamp: String) -> String {
        """
        <?xml version="1.0" encoding="utf-8"?><IATA_AIDX_FlightLegNotifRQ xmlns="http://www.iata.org/IATA/2007/00" \
        Version="22.1" TimeStamp="\(stamp)"><FlightLeg><LegIdentifier><Airline>LX</Airline><FlightNumber>1234</FlightNumber>\
        <DepartureAirport>\(airport)</DepartureAirport><ArrivalAirport>LHR</ArrivalAirport><OriginDate>2026-11-24</OriginDate>\
        </LegIdentifier><LegData><OperationTime OperationQualifier="OFB" TimeType="SCT">2026-11-24T06:30:00Z</OperationTime>\
        <OperationTime OperationQualifier="OFB" TimeType="EST">\(estimated)</OperationTime><AirportResources Usage="Actual">\
        <Resource DepartureOrArrival="Departure"><PassengerGate>\(gate)</PassengerGate></Resource></AirportResources>\
        </LegData></FlightLeg></IATA_AIDX_FlightLegNotifRQ>
        """
    }

    @Test func aidxOverTCPWithSTXETXFramingPublishesGateChangeAndDelay() async throws {
        let port = try Loopback.freePort()
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "aodb-aidx"
                format = "aidx"
                transport = "tcp-listen"
                address = "127.0.0.1:\(port)"
                framing = "stx-etx"
                """, start: false) { daemon in
            let watcher = try MQTTWatcher()
            try watcher.subscribe(daemon.topic("#"))
            try daemon.start()
            let airport = daemon.airport
            var stream: [UInt8] = Array("\r\n".utf8)  // noise between frames is skipped
            for message in [
                aidxMessage(airport, gate: "A12", estimated: "2026-11-24T06:35:00Z", stamp: "2026-11-24T05:00:00Z"),
                aidxMessage(airport, gate: "B34", estimated: "2026-11-24T06:55:00Z", stamp: "2026-11-24T05:30:00Z"),
            ] {
                stream += [0x02] + Array(message.utf8) + [0x03] + Array("\r\n".utf8)
            }
            stream += [0x02] + Array("<not-aidx/>".utf8) + [0x03]
            try daemon.send(bytes: stream, port: port)

            let flight = "LX1234-20261124-D"
            try await watcher.wait(for: 20, "gate changes and the delay") { _ in
                watcher.messages.filter { $0.topic.hasPrefix(daemon.topic("events/")) }.count >= 3
            }
            let kinds = watcher.messages.filter { $0.topic.hasPrefix(daemon.topic("events/")) }.map { $0.topic.split(separator: "/").last.map(String.init) ?? "" }
            #expect(kinds.sorted() == ["delay", "gate-change", "gate-change"])
            // The last state, not a clear: the flight's day is long past, so the daemon's first
            // housekeeping (5 s after its start) takes it off the retained topic when the test runs slowly.
            let state = try #require(watcher.messages(on: daemon.topic("flights/\(flight)")).last { !$0.payload.isEmpty })
            guard case .object(let object) = try JSONParser.parse(state.payload) else {
                Issue.record("flight state is not an object")
                return
            }
            #expect(object["gate"]?.stringValue == "B34")
            #expect(object["estimated"]?.stringValue == "2026-11-24T06:55:00Z")

            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            let rejected = try connection.query("SELECT feed, error FROM flightedge.rejected_frames").rows
            #expect(rejected.count == 1)
            #expect(rejected.first?[0] == "aodb-aidx")
            #expect(rejected.first?[1]?.contains("no IATA_AIDX_FlightLegNotifRQ") == true)
            let gates = try connection.query(
                "SELECT new_value::text FROM flightedge.flight_changes WHERE flight_id = $1 AND field = 'gate' ORDER BY seq",
                [.text(flight)]
            ).rows
            #expect(gates == [[#""A12""#], [#""B34""#]])
            #expect(daemon.stop() == 0)
        }
    }

    @Test func mvtThroughTailFileGivesDepartureAndArrivalAndResumesAfterARestart() async throws {
        let daemonFolder = URL(fileURLWithPath: try TestServices.environment("FLIGHTEDGE_TEST_SCRATCH"))
            .appendingPathComponent("typeb-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: daemonFolder, withIntermediateDirectories: true)
        let path = daemonFolder.appendingPathComponent("typeb.log").path
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "typeb"
                format = "mvt"
                transport = "tail-file"
                path = "\(path)"
                framing = "stx-etx"
                """, start: false) { daemon in
            let watcher = try MQTTWatcher()
            try watcher.subscribe(daemon.topic("events/#"))
            let airport = daemon.airport
            let day = String(Fixture.day.suffix(2))
            func message(_ body: String) -> String { "\u{01}QU \(airport)KLLX\r\n.LHROOBA \(day)0600\r\n\u{02}MVT\r\n\(body)\u{03}\r\n" }
            try message("LX1234/\(day).HBJHA.\(airport)\r\nAD0615/0628 EA0740 LHR\r\nDL72/0015\r\n")
                .write(toFile: path, atomically: false, encoding: .utf8)
            try daemon.start()
            try await watcher.wait(for: 20, "the departure") { messages in
                messages.contains { $0.topic == daemon.topic("events/departure") && $0.text.contains("LX1234-\(Fixture.compact)-D") }
            }
            // Stopped, the file grows; started again, only the new message is read.
            #expect(daemon.stop() == 0)
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(message("BA117/\(day).GEUUA.LHR\r\nAA0710/0722\r\n").replacingOccurrences(of: "LHR\r\nAA", with: "\(airport)\r\nAA").utf8))
            try handle.close()
            try daemon.start()
            try await watcher.wait(for: 20, "the arrival") { messages in
                messages.contains { $0.topic == daemon.topic("events/arrival") && $0.text.contains("BA0117-\(Fixture.compact)-A") }
            }
            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            let flights = try connection.query("SELECT flight_id, state->>'status' FROM flightedge.flights ORDER BY 1").rows
            #expect(flights == [["BA0117-\(Fixture.compact)-A", "arrived"], ["LX1234-\(Fixture.compact)-D", "airborne"]])
            // The departure was read once: one change set, no replay after the restart.
            let checkpoint = try connection.query(#"SELECT file_name, "offset" FROM flightedge.feed_checkpoints WHERE feed = 'typeb'"#).rows
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            #expect(checkpoint.first?[0] == path)
            #expect(checkpoint.first?[1].flatMap { Int($0) } ?? 0 >= size - 2)
            #expect(daemon.log.contains("feed tailing file from the committed position"))
            #expect(daemon.stop() == 0)
        }
    }

    private func aidxMessage(_ airport: String, gate: String, estimated: String, stamp: String) -> String {
        Self.aidx(airport: airport, gate: gate, estimated: estimated, stamp: stamp)
    }
}
