import Testing

@testable import GatewayDaemon

/// The one verdict `/healthz` and the watchdog share (issue 18): idle is progress; work held
/// without a beat for longer than the stall limit is a stall, whatever keeps the loop busy.
@Suite struct PipelineStallTests {
    @Test func idleIsProgressAndHeldWorkWithoutABeatIsAStall() async throws {
        let progress = PipelineProgress()
        #expect(progress.isProgressing && progress.stalledSeconds == 0)
        progress.setIdle(false)
        #expect(progress.isProgressing, "work just taken up")
        try await Task.sleep(for: .milliseconds(2_300))
        #expect(!progress.isProgressing, "no beat for 2.3 s while holding work")
        #expect(progress.stalledSeconds > 2)
        progress.heartbeat()
        #expect(progress.isProgressing && progress.stalledSeconds < 1)
        progress.setIdle(true)
        #expect(progress.stalledSeconds == 0)
    }
}
