import Foundation
import Logging
import Synchronization
import Telemetry
import Testing

/// Issue 17, item 12: JSON logs for journald and Loki users (`FLIGHTEDGE_LOG_FORMAT=json`).
@Suite struct LogFormatTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    func logger(journal: Bool, limit: LogRateLimit? = nil) -> (Logger, Lines) {
        let lines = Lines()
        let handler = ConsoleLogHandler(label: "flightedge", level: .debug, forJournal: journal, limit: limit, format: .json) {
            lines.append($0)
        }
        return (Logger(label: "flightedge") { _ in handler }, lines)
    }

    private func object(_ line: String) throws -> [String: String] {
        let json = line.hasPrefix("<") ? String(line.drop { $0 != ">" }.dropFirst()) : line
        return try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: String], "\(line)")
    }

    @Test func eachRecordIsOneJSONObjectWithItsMetadataBeside() throws {
        let (logger, lines) = logger(journal: false)
        logger.warning(
            "spool entry refused \"x\"", metadata: ["feed": "drop", "file": "x.jsonl\n<0>forged", "message": "collides"])
        let line = try #require(lines.all.first)
        #expect(line.hasSuffix("}\n") && line.split(separator: "\n").count == 1, "\(line)")
        let record = try object(String(line.dropLast()))
        #expect(record["level"] == "warning")
        #expect(record["logger"] == "flightedge")
        #expect(record["message"] == "spool entry refused \"x\"")
        #expect(record["feed"] == "drop")
        #expect(record["file"] == "x.jsonl\n<0>forged")
        #expect(record["_message"] == "collides")
        let time = try #require(record["time"])
        #expect(time.count == 24 && time.hasSuffix("Z"), "\(time)")
    }

    @Test func underSystemdTheLineKeepsItsPriority() throws {
        let (logger, lines) = logger(journal: true)
        logger.error("database unreachable", metadata: ["attempt": "3"])
        let line = try #require(lines.all.first)
        #expect(line.hasPrefix("<3>{"), "\(line)")
        #expect(try object(String(line.dropLast()))["attempt"] == "3")
    }

    @Test func controlCharactersAreEscapedAsJSON() throws {
        let (logger, lines) = logger(journal: false)
        logger.info("a\u{1}b\u{2028}c\\d")
        let line = try #require(lines.all.first)
        #expect(line.contains(#""message":"a\u0001b\u2028c\\d""#), "\(line)")
        #expect(try object(String(line.dropLast()))["message"] == "a\u{1}b\u{2028}c\\d")
    }

    @Test func theEnvironmentChoosesTheFormat() {
        #expect(LogFormat.from(environment: [:]) == .text)
        #expect(LogFormat.from(environment: ["FLIGHTEDGE_LOG_FORMAT": "JSON"]) == .json)
        #expect(LogFormat.from(environment: ["FLIGHTEDGE_LOG_FORMAT": "yaml"]) == nil)
    }
}
