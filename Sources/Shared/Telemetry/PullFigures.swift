import CoreMetrics
import Prometheus

/// A pull feed's figures (`http-poll`; `sql-poll` if it counts them), as `/metrics` shows them.
public struct PullFigures: Sendable {
    /// Requests sent (queries run).
    public var polls: Int64
    /// Answers with nothing new: HTTP 304, or a body equal to the last.
    public var unchanged: Int64
    /// Waits the server imposed (Retry-After, AIDX FlightLegRS warnings), and their sum.
    public var serverWaits: Int64
    public var serverWaitSeconds: Double
    /// Polls that got no usable answer.
    public var failures: Int64
    /// The last answered poll, seconds since 1970; 0 before the first.
    public var lastSuccessSeconds: Double

    public init(
        polls: Int64, unchanged: Int64, serverWaits: Int64, serverWaitSeconds: Double, failures: Int64,
        lastSuccessSeconds: Double
    ) {
        self.polls = polls
        self.unchanged = unchanged
        self.serverWaits = serverWaits
        self.serverWaitSeconds = serverWaitSeconds
        self.failures = failures
        self.lastSuccessSeconds = lastSuccessSeconds
    }
}

/// A pull feed's instruments, labelled `feed`.
struct PullInstruments: Sendable {
    var polls: FollowedTotal
    var unchanged: FollowedTotal
    var serverWaits: FollowedTotal
    var failures: FollowedTotal
    let serverWaitSeconds: Meter
    let lastSuccess: Meter

    init(feed: String, factory: PrometheusMetricsFactory) {
        let labels = [("feed", feed)]
        polls = FollowedTotal(factory.counter("flightedge_feed_polls_total", help: "Requests of pull feeds.", labels: labels))
        unchanged = FollowedTotal(
            factory.counter(
                "flightedge_feed_polls_unchanged_total", help: "Polls answered with nothing new (HTTP 304, the same body).",
                labels: labels))
        serverWaits = FollowedTotal(
            factory.counter(
                "flightedge_feed_server_waits_total",
                help: "Waits the server imposed (Retry-After, AIDX FlightLegRS warnings).", labels: labels))
        failures = FollowedTotal(
            factory.counter("flightedge_feed_poll_failures_total", help: "Polls without a usable answer.", labels: labels))
        serverWaitSeconds = factory.meter(
            "flightedge_feed_server_waited_seconds", help: "Seconds of waits the server imposed since start.", labels: labels)
        lastSuccess = factory.meter(
            "flightedge_feed_last_poll_success_timestamp_seconds", help: "Time of the last answered poll (0: none yet).",
            labels: labels)
    }

    mutating func update(from figures: PullFigures) {
        polls.follow(figures.polls)
        unchanged.follow(figures.unchanged)
        serverWaits.follow(figures.serverWaits)
        failures.follow(figures.failures)
        serverWaitSeconds.set(figures.serverWaitSeconds)
        lastSuccess.set(figures.lastSuccessSeconds)
    }

    func destroy() {
        for total in [polls, unchanged, serverWaits, failures] { total.counter.destroy() }
        for meter in [serverWaitSeconds, lastSuccess] { meter.destroy() }
    }
}
