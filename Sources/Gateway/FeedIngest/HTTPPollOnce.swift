import Configuration
import Timing

/// `flightedge poll-once` for an `http-poll` feed: one unconditional request, its body framed
/// as the feed would frame it.
public struct HTTPPollOnce: PullFetchOnce {
    public let config: FeedConfig

    public init(config: FeedConfig) {
        self.config = config
    }

    public func fetchOnce() async throws -> PulledOnce {
        let client = try HTTPPollClient(feed: config)
        let polledAt = WallClock.milliseconds
        let response: HTTPPollResponse
        do {
            response = try await client.fetch()
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        func header(_ name: String) -> String? {
            response.headers.first { $0.name.lowercased() == name.lowercased() }?.value
        }
        let tag = header("ETag") ?? header("Last-Modified")
        var summary = "HTTP \(response.status)"
        if let tag { summary += ", tag \(tag)" }
        if let retryAfter = header("Retry-After") { summary += ", Retry-After \(retryAfter)" }
        summary += ", \(response.size) bytes" + (response.isOversize ? " (over the limit: rejected)" : "")
        guard (200..<300).contains(response.status) else { return PulledOnce(summary: summary, frames: []) }
        let frames = HTTPPollFeed.frames(
            of: response, config: config, polledAt: polledAt, tag: tag, maxBytes: client.maxBodyBytes
        ).frames
        return PulledOnce(summary: summary, frames: frames)
    }
}
