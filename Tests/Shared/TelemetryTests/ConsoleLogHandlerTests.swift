import Logging
import Synchronization
import Telemetry
import Testing

/// Log lines an attacker cannot shape (issue 18, item 6): one record is one line whatever its
/// values hold, and a flood of one warning becomes a few lines and a count.
@Suite("ConsoleLogHandler: escaped values, rate-limited repeats")
struct ConsoleLogHandlerTests {
    final class Lines: Sendable {
        let lines = Mutex<[String]>([])
        func append(_ line: String) { lines.withLock { $0.append(line) } }
        var all: [String] { lines.withLock { $0 } }
    }

    func logger(journal: Bool = true, limit: LogRateLimit? = nil) -> (Logger, Lines) {
        let lines = Lines()
        let handler = ConsoleLogHandler(label: "test", level: .debug, forJournal: journal, limit: limit) { lines.append($0) }
        return (Logger(label: "test") { _ in handler }, lines)
    }

    @Test func aNewlineInAFileNameCannotForgeAJournalRecord() {
        let (logger, lines) = logger()
        logger.warning(
            "spool entry refused", metadata: ["file": "x.jsonl\n<0>forged emergency", "reason": "tab\there\u{7F}\u{85}\u{2028}"])
        let text = lines.all.joined()
        #expect(text.split(separator: "\n").count == 1, "one record, one line: \(text)")
        #expect(text.hasPrefix("<4>spool entry refused"))
        #expect(text.contains(#"file=x.jsonl\n<0>forged emergency"#))
        #expect(text.contains(#"reason=tab\there\u{7F}\u{85}\u{2028}"#))
    }

    @Test func messagesAndKeysAreEscapedToo() {
        let (logger, lines) = logger(journal: false)
        logger.info("line one\r\nline two", metadata: ["k\ney": "v\\w"])
        let text = lines.all.joined()
        #expect(text.split(separator: "\n").count == 1)
        #expect(text.contains(#"line one\r\nline two k\ney=v\\w"#))
    }

    @Test func aRepeatedWarningIsWrittenTenTimesThenSummarised() async throws {
        let limit = LogRateLimit(burst: 10, window: .milliseconds(1_100))
        let (logger, lines) = logger(limit: limit)
        for peer in 0..<400 { logger.warning("feed refused a connection over max_connections", metadata: ["peer": "10.0.0.\(peer)"]) }
        logger.info("an info line is never limited")
        #expect(lines.all.count == 11)
        try await Task.sleep(for: .milliseconds(1_200))
        logger.warning("feed refused a connection over max_connections", metadata: ["peer": "10.0.0.1"])
        let last = lines.all.suffix(2)
        #expect(last.first == "<4>suppressed 390 repeated log lines: feed refused a connection over max_connections\n")
        #expect(last.last?.hasPrefix("<4>feed refused a connection over max_connections") == true)
    }
}
