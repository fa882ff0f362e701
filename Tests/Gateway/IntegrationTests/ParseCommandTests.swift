import FlightEdgeTestSupport
import Foundation
import Testing

/// `flightedge parse`: what an integrator runs to check a feed before wiring it.
@Suite("flightedge parse")
struct ParseCommandTests {
    private func temporaryFile(_ text: String, suffix: String) throws -> String {
        let path = NSTemporaryDirectory() + "fe-parse-\(UUID().uuidString.prefix(8)).\(suffix)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func lines(_ output: String) -> [[String: Any]] {
        output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    @Test func jsonlLinesComeBackWithTheirFlightIDAndFeed() throws {
        let path = try temporaryFile(
            #"""
            {"airline":"LX","number":"12","date":"2026-11-24","direction":"departure","gate":"A12","remark":null}
            {"airline":"BA","number":"117","suffix":"A","date":"2026-11-23","direction":"arrival","belt":"7"}
            """#, suffix: "jsonl")
        let run = try CommandRun(["parse", "--format", "jsonl", path])
        #expect(run.status == 0, "\(run.errors)")
        let updates = lines(run.output)
        #expect(updates.count == 2)
        #expect(updates.first?["flight_id"] as? String == "LX0012-20261124-D")
        #expect(updates.first?["gate"] as? String == "A12")
        #expect(updates.first?["remark"] is NSNull)
        #expect(updates.first?["feed"] as? String == "parse")
        #expect(updates.last?["flight_id"] as? String == "BA0117A-20261123-A")
    }

    @Test func aRejectedFrameIsNamedWithFileAndOffsetAndExitsOne() throws {
        let good = #"{"airline":"LX","number":"12","date":"2026-11-24","direction":"departure"}"#
        let path = try temporaryFile(good + "\n" + #"{"airline":"LX","date":"2026-11-24"}"# + "\n", suffix: "jsonl")
        let run = try CommandRun(["parse", "--format", "jsonl", path])
        #expect(run.status == 1)
        #expect(lines(run.output).count == 1)
        #expect(run.errors.contains("\(path)@\(good.utf8.count + 1): number: required member is missing"))
    }

    @Test func csvWithoutAConfigurationIsAUsageError() throws {
        let run = try CommandRun(["parse", "--format", "csv", "/dev/null"])
        #expect(run.status == 1)
        #expect(run.errors.contains("--config"))
    }
}

@Suite("flightedge parse on the AIDX samples")
struct ParseAIDXCommandTests {
    private var samples: URL { Repository.root.appendingPathComponent("Tests/Gateway/FeedFormatsTests/Samples/aidx") }

    @Test func everySampleGivesOneUpdatePerLegAndExitsZero() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: samples.path).filter { $0.hasSuffix(".xml") }.sorted()
        let run = try CommandRun(["parse", "--format", "aidx"] + files.map { samples.appendingPathComponent($0).path })
        #expect(run.status == 0, "\(run.errors)")
        let lines = run.output.split(separator: "\n")
        #expect(lines.count == files.count)  // one leg each
        #expect(run.output.contains(#""flight_id":"JQ0355-20250910-D""#))
        #expect(run.output.contains(#""gate":"19A""#))
    }

    @Test func aTruncatedSampleExitsOneNamingTheFileAndOffset() throws {
        let original = try Data(contentsOf: samples.appendingPathComponent("wsi-amadeus__JQ355_Departure_Gate_19A.xml"))
        let path = NSTemporaryDirectory() + "fe-truncated-\(UUID().uuidString.prefix(8)).xml"
        try original.prefix(original.count / 2).write(to: URL(fileURLWithPath: path))
        let run = try CommandRun(["parse", "--format", "aidx", path])
        #expect(run.status == 1)
        #expect(run.output.isEmpty)
        // Where the cut falls decides the complaint (an unclosed tag, an open element); the
        // file, the frame's offset and the byte are always named.
        #expect(run.errors.contains("\(path)@0: byte "))
        #expect(run.errors.contains("1 frames, 0 updates, 1 rejected"), "\(run.errors)")
    }
}
