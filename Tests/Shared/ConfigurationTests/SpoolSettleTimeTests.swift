import Configuration
import Testing

/// `settle_time` (issue 18, item 5): read by a spool-dir feed, refused elsewhere.
@Suite struct SpoolSettleTimeTests {
    @Test func aSpoolFeedKeepsItsSettleTime() throws {
        let config = try GatewayConfig.parse(
            minimal(plus: "[[feeds]]\nname = \"a\"\nformat = \"jsonl\"\ntransport = \"spool-dir\"\npath = \"/x\"\nsettle_time = 5"),
            source: "test.toml")
        #expect(config.feeds.first?.settleSeconds == 5)
    }

    @Test func settleTimeIsForSpoolFoldersOnlyAndBounded() {
        let tail = minimal(plus: "[[feeds]]\nname = \"a\"\nformat = \"jsonl\"\ntransport = \"tail-file\"\npath = \"/x\"\nsettle_time = 5")
        #expect(
            problems(tail) == [
                "test.toml:15: feeds[0].settle_time: only a spool-dir feed waits for files to settle; remove settle_time"
            ])
        let long = minimal(plus: "[[feeds]]\nname = \"a\"\nformat = \"jsonl\"\ntransport = \"spool-dir\"\npath = \"/x\"\nsettle_time = 7200")
        #expect(problems(long).first?.contains("settle_time") == true)
    }
}
