import Configuration
import Testing

@Suite struct HousekeepingRetentionConfigTests {
    @Test func historyIsKeptForeverAndRejectedFramesThirtyDaysUnlessConfigured() throws {
        let config = try GatewayConfig.parse(minimalConfiguration, source: "test.toml")
        #expect(config.housekeeping.historyRetentionDays == 0)
        #expect(config.housekeeping.rejectedFramesRetentionDays == 30)
    }

    @Test func bothRetentionsAreRead() throws {
        let config = try GatewayConfig.parse(
            minimal(plus: "[housekeeping]\nhistory_retention_days = 400\nrejected_frames_retention_days = 0"),
            source: "test.toml")
        #expect(config.housekeeping.historyRetentionDays == 400)
        #expect(config.housekeeping.rejectedFramesRetentionDays == 0)
        #expect(config.redacted().contains("history_retention_days = 400"))
    }

    @Test func negativeOrHugeRetentionsAreOutOfRange() {
        #expect(
            problems(minimal(plus: "[housekeeping]\nhistory_retention_days = -1\nrejected_frames_retention_days = 36501")) == [
                "test.toml:11: housekeeping.history_retention_days: -1 is out of range (0 to 36500)",
                "test.toml:12: housekeeping.rejected_frames_retention_days: 36501 is out of range (0 to 36500)",
            ])
    }
}
