import Prometheus

/// `/metrics` of the event stream: replay requests and what they re-published, the outbox's
/// retention window and what it let go, and the last `stream_seq` given. Made on the daemon's
/// registry beside ``GatewayMetrics``, so the one exposition shows them.
final class ReplayMetrics: Sendable {
    /// Replay requests accepted (and answered).
    let requests: Counter
    /// Replay requests refused (not JSON, a member missing or out of range, a range too long).
    let refusedRequests: Counter
    /// Events re-published because a replay asked for them.
    let replayedEvents: Counter
    /// Events a replay asked for that the outbox no longer (or not yet) holds.
    let missingEvents: Counter
    /// Published events deleted after the retention window.
    let expiredEvents: Counter
    /// `[housekeeping] outbox_retention_days`, in seconds.
    let retentionSeconds: Gauge
    /// The last `stream_seq` given, as of the last retention pass or replay.
    let lastStreamSeq: Gauge

    init(registry: PrometheusCollectorRegistry, retentionDays: Int) {
        func counter(_ name: String, _ help: String) -> Counter {
            registry.makeCounter(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help))
        }
        func gauge(_ name: String, _ help: String) -> Gauge {
            registry.makeGauge(descriptor: MetricNameDescriptor(metricName: name, unitName: "", helpText: help))
        }
        requests = counter("flightedge_replay_requests_total", "Replay requests (cmd/replay) accepted and answered.")
        refusedRequests = counter(
            "flightedge_replay_requests_refused_total",
            "Replay requests refused: not JSON, from/to missing or out of range, or too long a range.")
        replayedEvents = counter(
            "flightedge_replay_events_total", "Events re-published unchanged because a replay asked for them.")
        missingEvents = counter(
            "flightedge_replay_missing_events_total",
            "Events a replay asked for that the outbox does not hold (past the retention window, or not given yet).")
        expiredEvents = counter(
            "flightedge_outbox_expired_events_total", "Published events deleted from the outbox after the retention window.")
        retentionSeconds = gauge(
            "flightedge_outbox_retention_seconds",
            "How long published events stay in the outbox for replays ([housekeeping] outbox_retention_days).")
        lastStreamSeq = gauge("flightedge_event_stream_last_seq", "The last stream_seq given to an event (0: none yet).")
        retentionSeconds.set(Double(retentionDays) * 86_400)
    }
}
