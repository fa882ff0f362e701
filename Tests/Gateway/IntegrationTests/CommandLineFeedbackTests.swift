import Foundation
import Testing

/// What a person meets at the command line when an option or an input is wrong: the
/// subcommand's own usage, options refused up front, and `parse` saying what it found.
@Suite("The command line says what went wrong")
struct CommandLineFeedbackTests {
    private func temporaryFile(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "fe-cli-\(UUID().uuidString.prefix(8))"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func anOptionRefusedInsideASubcommandShowsThatSubcommandsUsage() throws {
        // parse refuses this only once it runs (it needs --format or --config to pick a decoder).
        let run = try CommandRun(["parse", "/dev/null"])
        #expect(run.status == 1)
        #expect(run.errors.contains("Error: --format is required without --config"))
        #expect(run.errors.contains("Usage: flightedge parse"), "\(run.errors)")
        #expect(!run.errors.contains("flightedge <subcommand>"))
        #expect(run.errors.contains("See 'flightedge parse --help'"))
    }

    @Test(arguments: ["25:99", "banana", "7:5", "24:00", "12:60"])
    func simulateRefusesAStartThatIsNoTimeOfDay(start: String) throws {
        let run = try CommandRun(["simulate", "--flights", "1", "--start", start])
        #expect(run.status == 1)
        #expect(run.output.isEmpty, "nothing is simulated")
        #expect(run.errors.contains("--start must be a UTC time of day, HH:mm from 00:00 to 23:59 (got \(start))"))
    }

    @Test(arguments: ["zz", "ZRHX", "Z1H", "zrh"])
    func simulateRefusesAnAirportThatIsNoIATACode(airport: String) throws {
        let run = try CommandRun(["simulate", "--flights", "1", "--airport", airport])
        #expect(run.status == 1)
        #expect(run.errors.contains("--airport must be an IATA code"), "\(run.errors)")
    }

    @Test func simulateTakesAValidStartAndAirport() throws {
        let run = try CommandRun(["simulate", "--flights", "2", "--start", "06:30", "--airport", "GVA"])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains(#""origin":"GVA""#) || run.output.contains(#""destination":"GVA""#))
    }

    @Test func parseOfAnEmptyFileSaysSoAndExitsOne() throws {
        let path = try temporaryFile([])
        let run = try CommandRun(["parse", "--format", "jsonl", path])
        #expect(run.status == 1)
        #expect(run.errors.contains("\(path): no frame: it is empty"), "\(run.errors)")
        #expect(run.errors.contains("0 frames, 0 updates, 0 rejected, 1 input(s) without a frame"))
    }

    @Test func parseOfAFileTheFramingFindsNothingInSaysSoAndExitsOne() throws {
        let path = try temporaryFile(Array(#"{"airline":"LX","number":"1","date":"2026-11-24","direction":"departure"}"#.utf8))
        let run = try CommandRun(["parse", "--format", "jsonl", "--framing", "stx-etx", path])
        #expect(run.status == 1)
        #expect(run.errors.contains("\(path): no frame: stx-etx framing finds no frame in its"), "\(run.errors)")
    }

    @Test func parseSummarisesOnStandardErrorAndCapsRepeatedRejections() throws {
        let good = #"{"airline":"LX","number":"1","date":"2026-11-24","direction":"departure","gate":"A1"}"#
        let clean = try CommandRun(["parse", "--format", "jsonl", try temporaryFile(Array((good + "\n").utf8))])
        #expect(clean.status == 0, "\(clean.errors)")
        #expect(clean.errors == "1 frames, 1 updates, 0 rejected\n")

        let garbage = Array(String(repeating: "not json at all\n", count: 200).utf8)
        let path = try temporaryFile(garbage + Array((good + "\n").utf8))
        let run = try CommandRun(["parse", "--format", "jsonl", path])
        #expect(run.status == 1)
        let lines = run.errors.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("\(path)@") }.count == 50, "the first 50 rejections are shown")
        #expect(lines.last == "201 frames, 1 updates, 200 rejected (150 not shown)")
        #expect(run.output.split(separator: "\n").count == 1, "the good line still decodes")
    }
}

extension CommandLineFeedbackTests {
    @Test func parseTakesTheShippedFeedFragmentAsConfigWithAnAirport() throws {
        let sample = "Tests/Gateway/FeedFormatsTests/Samples/airport-feeds/drt-lhr__live-arrivals-row.csv"
        let run = try CommandRun(["parse", "--config", "conf/feeds/heathrow-arrivals.toml", "--airport", "LHR", sample])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains(#""flight_id":"QR0005-20170309-A""#), "\(run.output)")
        #expect(run.output.contains(#""feed":"lhr-arrivals""#))
        #expect(run.errors == "2 frames, 1 updates, 0 rejected\n", "the header row is a frame that yields no update")

        let withoutAirport = try CommandRun(["parse", "--config", "conf/feeds/heathrow-arrivals.toml", sample])
        #expect(withoutAirport.status == 1)
        #expect(withoutAirport.errors.contains("is a feed fragment (no [airport] table): give --airport"), "\(withoutAirport.errors)")
        #expect(withoutAirport.errors.contains("Usage: flightedge parse"))
    }
}
