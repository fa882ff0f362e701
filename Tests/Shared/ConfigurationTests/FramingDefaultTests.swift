import Configuration
import Testing

/// Issue 17, item 10: a spool-dir feed of `jsonl` or `csv` defaulted to one frame per file, so
/// a normal multi-line `.jsonl` file was rejected whole. The default now follows the format.
@Suite struct FramingDefaultTests {
    private func framing(format: String, transport: String) throws -> Framing {
        let place = transport.hasPrefix("tcp") ? "address = \"127.0.0.1:7002\"" : "path = \"/var/spool/x\""
        let config = try GatewayConfig.parse(
            minimal(plus: "[[feeds]]\nname = \"a\"\nformat = \"\(format)\"\ntransport = \"\(transport)\"\n\(place)"),
            source: "test.toml")
        return try #require(config.feeds.first).framing
    }

    @Test func aSpoolFolderOfJSONLinesOrCSVRowsIsReadLineByLine() throws {
        #expect(try framing(format: "jsonl", transport: "spool-dir") == .lf)
        #expect(try framing(format: "csv", transport: "spool-dir") == .lf)
    }

    @Test func aSpoolFolderOfAIDXOrMVTMessagesIsReadFileByFile() throws {
        #expect(try framing(format: "aidx", transport: "spool-dir") == .file)
        #expect(try framing(format: "mvt", transport: "spool-dir") == .file)
    }

    @Test func streamsAreCutAtLineEndsUnlessTheyNameAFraming() throws {
        for format in [FeedFormat.aidx, .mvt, .csv, .jsonl] {
            #expect(try framing(format: format.rawValue, transport: "tcp-listen") == .lf)
            #expect(try framing(format: format.rawValue, transport: "tail-file") == .lf)
        }
        let named = try GatewayConfig.parse(
            minimal(plus: "[[feeds]]\nname = \"a\"\nformat = \"jsonl\"\ntransport = \"spool-dir\"\npath = \"/x\"\nframing = \"file\""),
            source: "test.toml")
        #expect(named.feeds.first?.framing == .file)
    }
}
