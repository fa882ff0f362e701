/// One fetch of a pull feed for `flightedge poll-once`: what the feed would receive now, and
/// nothing kept (no checkpoint moved, no message acknowledged, no conditional request). Each
/// pull transport provides one (``HTTPPollOnce`` for `http-poll`).
public protocol PullFetchOnce: Sendable {
    /// Fetches once; throws when the source cannot be reached or refuses.
    func fetchOnce() async throws -> PulledOnce
}

/// What one fetch brought: a line about the answer for the integrator, and its frames.
public struct PulledOnce: Sendable {
    /// e.g. `HTTP 200, ETag "v7", 48213 bytes`.
    public var summary: String
    public var frames: [Frame]

    public init(summary: String, frames: [Frame]) {
        self.summary = summary
        self.frames = frames
    }
}
