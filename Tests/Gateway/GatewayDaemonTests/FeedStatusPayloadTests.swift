import Configuration
import FeedIngest
import Foundation
@testable import GatewayDaemon
import Logging
import Testing

/// The retained `feeds/{feed}/status` of a pull feed said `connected: true` whatever its polls
/// did; it now says whether the last poll succeeded, when that was, and why the last one failed.
@Suite struct FeedStatusPayloadTests {
    func object(_ feed: FeedConfig, _ counters: FeedCounters) throws -> [String: Any] {
        let bytes = FeedStatusPayload.bytes(feed: feed, counters: counters.snapshot, lagMilliseconds: 12)
        return try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    func httpPoll(_ url: String) -> FeedConfig {
        var feed = FeedConfig(name: "aodb-api", format: .aidx, transport: .httpPoll, framing: .file)
        feed.pull = .http(HTTPPollSettings(url: url, interval: .milliseconds(100), timeout: .seconds(1)))
        return feed
    }

    @Test func aPullFeedWhosePollsFailIsNotConnectedAndSaysWhy() async throws {
        // Nothing listens on port 9 of the loopback: every poll is refused.
        let feed = httpPoll("http://127.0.0.1:9/flights")
        let counters = FeedCounters(feed: feed.name)
        let sink = FrameSink(queue: IngestQueue(), counters: counters)
        let poller = Task { try await HTTPPollFeed(config: feed, sink: sink, logger: Logger(label: "test")).run() }
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(10)
        while counters.snapshot.pull.failures == 0 && clock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
        poller.cancel()
        try await poller.value

        let status = try object(feed, counters)
        #expect(status["schema"] as? String == "flightedge.feed-status/1")
        #expect(status["connected"] as? Bool == false, "\(status)")
        #expect(status["last_poll_at"] is NSNull, "\(status)")
        let error = try #require(status["last_error"] as? String, "\(status)")
        #expect(!error.isEmpty)
    }

    @Test func aPullFeedIsConnectedWhileItsLastPollSucceeded() throws {
        let feed = httpPoll("https://aodb.example/flights")
        let counters = FeedCounters(feed: feed.name)
        counters.pull.failed("HTTP 503 without Retry-After")
        counters.connectionOpened()
        counters.pull.succeeded(at: 1_796_457_600_000)

        let status = try object(feed, counters)
        #expect(status["connected"] as? Bool == true)
        #expect(status["last_poll_at"] as? String == "2026-12-05T08:00:00Z", "\(status)")
        #expect(status["last_error"] is NSNull, "a success clears the last error: \(status)")
        #expect(status["lag_ms"] as? Int == 12)
    }

    @Test func pushFeedsKeepTheirMeaningAndGainNoPullMembers() throws {
        let listen = FeedConfig(name: "sim", format: .jsonl, transport: .tcpListen)
        let spool = FeedConfig(name: "drop", format: .jsonl, transport: .spoolDir, path: "/tmp")
        let listening = try object(listen, FeedCounters(feed: "sim"))
        #expect(listening["connected"] as? Bool == false)
        #expect(listening["last_poll_at"] == nil && listening["last_error"] == nil)
        #expect(try object(spool, FeedCounters(feed: "drop"))["connected"] as? Bool == true)
    }
}
