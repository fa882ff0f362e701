import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// Fault suite, bad input: thousands of malformed frames mixed with valid ones, over TCP and
/// files, for every format. No crash; every valid frame applied; every bad one kept in
/// `rejected_frames` with a reason.
@Suite("Fault suite: malformed frames mixed with valid ones")
struct BadInputFaultTests {
    /// Deterministic bad frames of every kind the issue names, none containing a line feed.
    struct BadJSONL {
        var random = SplitMix(seed: 0xBAD)

        mutating func next(_ index: Int) -> [UInt8] {
            let valid = #"{"airline":"LX","number":"\#(index % 9000 + 1)","date":"\#(Fixture.day)","direction":"departure","gate":"A1"}"#
            switch index % 8 {
            case 0:  // random bytes
                return (0..<Int(random.next() % 300 + 1)).map { _ in UInt8(truncatingIfNeeded: random.next()) }.map {
                    $0 == 0x0A ? 0x20 : $0
                }
            case 1:  // truncation
                return Array(valid.utf8.prefix(Int(random.next() % UInt64(valid.utf8.count - 1)) + 1))
            case 2:  // invalid UTF-8 inside a string
                return Array(#"{"airline":"LX","number":"1","date":"\#(Fixture.day)","direction":"departure","remark":""#.utf8)
                    + [0xC3, 0x28, 0xFF] + Array(#""}"#.utf8)
            case 3:  // wrong types
                return Array(#"{"airline":42,"number":["1"],"date":true,"direction":{}}"#.utf8)
            case 4:  // absurd dates and times
                return Array(#"{"airline":"LX","number":"1","date":"2026-13-45","direction":"departure"}"#.utf8)
            case 5:
                return Array(#"{"airline":"LX","number":"1","date":"\#(Fixture.day)","direction":"departure","estimated":"9999-12-31T23:59:59Z"}"#.utf8)
            case 6:  // absurd numbers and deep nesting
                return Array(#"{"airline":"LX","number":"1e308","date":"\#(Fixture.day)","direction":"departure"}"#.utf8)
            default:
                return Array(String(repeating: "[", count: 5000).utf8)
            }
        }
    }

    /// xorshift-like generator, fixed per seed.
    struct SplitMix {
        var state: UInt64
        init(seed: UInt64) { state = seed }
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func validLine(_ index: Int) -> String {
        #"{"airline":"VA","number":"\#(index)","date":"\#(Fixture.day)","direction":"arrival","belt":"\#(index % 12 + 1)"}"#
    }

    @Test func tenThousandBadFramesAreRejectedWithReasonsAndEveryValidOneApplied() async throws {
        let aidxPort = try Loopback.freePort()
        try await withDaemon(extraFeeds: """

                [[feeds]]
                name = "aidx"
                format = "aidx"
                transport = "tcp-listen"
                address = "127.0.0.1:\(aidxPort)"
                framing = "stx-etx"
                max_frame_bytes = 65536
                """, maxFrameBytes: 65_536) { daemon in

            // jsonl over TCP: 10,000 bad frames, 1,000 valid ones in between, 4 oversize lines.
            var generator = BadJSONL()
            var stream: [UInt8] = []
            var validCount = 0
            var badCount = 0
            for index in 0..<10_000 {
                stream += generator.next(index) + [0x0A]
                badCount += 1
                if index % 10 == 0 {
                    validCount += 1
                    stream += Array(Self.validLine(validCount).utf8) + [0x0A]
                }
            }
            for _ in 0..<4 {
                stream += [UInt8](repeating: 0x41, count: 100_000) + [0x0A]
                badCount += 1
            }
            try daemon.send(bytes: stream)

            // jsonl through a spool file: bad and valid lines together.
            var file: [UInt8] = []
            let fileBad = 500
            for index in 0..<fileBad {
                file += generator.next(index + 3) + [0x0A]  // bytes as they are: invalid UTF-8 stays invalid
                validCount += 1
                file += Array(Self.validLine(validCount).utf8) + [0x0A]
            }
            try Data(file).write(to: daemon.spool.appendingPathComponent("mixed.jsonl"))

            // AIDX over TCP with stx-etx: malformed documents between valid ones.
            let airport = daemon.airport
            var aidxStream: [UInt8] = []
            var aidxValid = 0
            var aidxBad = 0
            let kinds: [(Int) -> String] = [
                { _ in "<IATA_AIDX_FlightLegNotifRQ xmlns=\"http://www.iata.org/IATA/2007/00\"><FlightLeg>" },  // truncated
                { _ in #"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>"# },  // XXE
                { _ in String(repeating: "<a>", count: 200) },  // deep nesting
                { i in FeedFormatsEndToEndTests.aidx(airport: "XXX", gate: "G\(i)", estimated: "2026-11-24T06:35:00Z", stamp: "2026-11-24T05:00:00Z") },  // not ours
                { i in FeedFormatsEndToEndTests.aidx(airport: airport, gate: "G\(i)", estimated: "soon", stamp: "2026-11-24T05:00:00Z") },  // bad time
                { _ in "\u{FFFD}\u{FFFE} not xml at all" },
            ]
            for index in 0..<1_200 {
                aidxStream += [0x02] + Array(kinds[index % kinds.count](index).utf8) + [0x03]
                aidxBad += 1
                if index % 12 == 0 {
                    aidxValid += 1
                    let valid = FeedFormatsEndToEndTests.aidx(
                        airport: airport, gate: "V\(aidxValid)", estimated: "\(Fixture.day)T06:35:00Z", stamp: "2026-11-24T05:00:00Z")
                        .replacingOccurrences(of: "<FlightNumber>1234</FlightNumber>", with: "<FlightNumber>\(aidxValid)</FlightNumber>")
                    aidxStream += [0x02] + Array(valid.utf8) + [0x03]
                }
            }
            try daemon.send(bytes: aidxStream, port: aidxPort)

            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            let expectedRejected = badCount + fileBad + aidxBad
            var seen = ""
            do {
                try await eventually("every frame committed or rejected", within: 120) {
                    let rejected = try connection.query("SELECT feed, count(*) FROM flightedge.rejected_frames GROUP BY feed ORDER BY feed").rows
                    let flights = try connection.query("SELECT count(*) FROM flightedge.flights").rows
                    seen = "rejected \(rejected), flights \(flights)"
                    return rejected.reduce(0) { $0 + (Int($1[1] ?? "") ?? 0) } == expectedRejected
                        && flights == [["\(validCount + aidxValid)"]]
                }
            } catch {
                Issue.record("expected \(expectedRejected) rejected (aodb \(badCount), drop \(fileBad), aidx \(aidxBad)) and \(validCount + aidxValid) flights; saw \(seen)")
                throw error
            }
            #expect(daemon.isRunning)
            let empty = try connection.query("SELECT count(*) FROM flightedge.rejected_frames WHERE length(error) = 0").rows
            #expect(empty == [["0"]])
            let perFeed = try connection.query("SELECT feed, count(*) FROM flightedge.rejected_frames GROUP BY feed ORDER BY feed").rows
            #expect(perFeed == [["aidx", "\(aidxBad)"], ["aodb", "\(badCount)"], ["drop", "\(fileBad)"]])
            let reasons = try connection.query(
                "SELECT DISTINCT left(regexp_replace(error, '[0-9]+', 'N', 'g'), 70) FROM flightedge.rejected_frames ORDER BY 1"
            ).rows.compactMap { $0[0] }
            #expect(reasons.contains { $0.contains("DOCTYPE") })
            #expect(reasons.contains { $0.contains("exceeds max_frame_bytes") })
            print(
                "fault suite, bad input: \(expectedRejected) malformed frames (\(badCount) jsonl over TCP, \(fileBad) in a file, "
                    + "\(aidxBad) AIDX over stx-etx) all in rejected_frames with a reason; \(validCount + aidxValid) valid frames "
                    + "all applied; \(reasons.count) distinct reasons, e.g. \(reasons.prefix(6))")
            #expect(daemon.stop() == 0)
        }
    }
}
