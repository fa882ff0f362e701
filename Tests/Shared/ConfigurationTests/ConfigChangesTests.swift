import Configuration
import Foundation
import Testing

/// What a reload does with a new file: feeds compared by name and settings, other sections
/// reported for a restart.
@Suite struct ConfigChangesTests {
    private static func config(_ feeds: String, base: String = minimalConfiguration) throws -> GatewayConfig {
        try GatewayConfig.parse(base + "\n" + feeds, source: "test.toml")
    }

    private static func listen(_ name: String, port: Int, precedence: Int = 0) -> String {
        """
        [[feeds]]
        name = "\(name)"
        format = "jsonl"
        transport = "tcp-listen"
        address = "127.0.0.1:\(port)"
        precedence = \(precedence)

        """
    }

    @Test func feedsAreComparedByNameAndEverySetting() throws {
        let old = try Self.config(Self.listen("a", port: 7001) + Self.listen("b", port: 7002) + Self.listen("c", port: 7003))
        let new = try Self.config(
            Self.listen("d", port: 7004) + Self.listen("a", port: 7001) + Self.listen("b", port: 7002, precedence: 5))
        let changes = ConfigChanges(from: old, to: new)
        #expect(changes.added.map(\.name) == ["d"])
        #expect(changes.removed == ["c"])
        #expect(changes.changed.map(\.name) == ["b"])
        #expect(changes.changed.first?.precedence == 5, "a changed feed carries its new settings")
        #expect(changes.unchanged == ["a"])
        #expect(changes.needRestart.isEmpty)
        #expect(!changes.feedsUnchanged)
        #expect(changes.summary == "added 1 (d), removed 1 (c), changed 1 (b), unchanged 1")
    }

    @Test func theSameFileChangesNothing() throws {
        let config = try Self.config(Self.listen("a", port: 7001))
        let changes = ConfigChanges(from: config, to: config)
        #expect(changes.feedsUnchanged)
        #expect(changes.unchanged == ["a"])
        #expect(changes.needRestart.isEmpty)
    }

    @Test func otherSectionsAreReportedForARestart() throws {
        let old = try Self.config(Self.listen("a", port: 7001))
        let new = try Self.config(
            Self.listen("a", port: 7001),
            base: minimalConfiguration.replacingOccurrences(of: "127.0.0.1", with: "10.0.0.9")
                + "\n[events]\ndelay_threshold_minutes = 20\n")
        let changes = ConfigChanges(from: old, to: new)
        #expect(changes.needRestart == ["[mqtt]", "[events]"])
        #expect(changes.feedsUnchanged)
    }
}
