import CoreMetrics
import Prometheus
import Synchronization

/// The relay's measurements as swift-metrics instruments over one swift-prometheus registry,
/// and `/metrics` as that registry's exposition: events taken, deliveries by channel and outcome,
/// latency from the event's `occurred_at` to the provider's acceptance, retries, queue depth.
public final class RelayMetrics: Sendable {
    /// Events recorded (new), by source.
    public let eventsRecorded: CoreMetrics.Counter
    /// Events dropped as redeliveries (their `event_id` was recorded before).
    public let eventsDuplicate: CoreMetrics.Counter
    /// Messages that were not FlightEdge events (kept in `relay.rejected_events`).
    public let eventsRejected: CoreMetrics.Counter
    /// Deliveries created by the rules.
    public let deliveriesPlanned: CoreMetrics.Counter
    /// From the event's `occurred_at` to the provider's acceptance.
    public let deliveryLatency: CoreMetrics.Timer
    /// Receipt of the event by the relay to its commit (with the planned deliveries).
    public let intakeSeconds: CoreMetrics.Timer

    private let factory: PrometheusMetricsFactory
    private let outcomes: Mutex<[String: CoreMetrics.Counter]>
    private let scraped: Mutex<ScrapedRelayInstruments>

    public init(factory: PrometheusMetricsFactory) {
        self.factory = factory
        eventsRecorded = factory.counter("flightedge_relay_events_recorded_total", help: "FlightEdge events recorded (first time seen).")
        eventsDuplicate = factory.counter(
            "flightedge_relay_events_duplicate_total", help: "Events dropped because their event_id was recorded before.")
        eventsRejected = factory.counter(
            "flightedge_relay_events_rejected_total", help: "Messages that were no readable FlightEdge event (kept with the reason).")
        deliveriesPlanned = factory.counter("flightedge_relay_deliveries_planned_total", help: "Deliveries the rules created.")
        deliveryLatency = factory.timer(
            "flightedge_relay_delivery_latency_seconds",
            help: "Time from the event's occurred_at to the provider's acceptance of the message.", buckets: Self.deliveryBuckets)
        intakeSeconds = factory.timer(
            "flightedge_relay_intake_seconds", help: "Time to record one event and plan its deliveries.",
            buckets: GatewayMetrics.latencyBuckets)
        outcomes = Mutex([:])
        scraped = Mutex(ScrapedRelayInstruments(factory: factory))
    }

    /// Counts one attempt's end, labelled by channel and outcome (`sent`, `retry`, `failed`,
    /// `dead`, `contact_gone`).
    public func attemptEnded(channel: String, outcome: String) {
        counter(
            key: "\(channel)/\(outcome)", "flightedge_relay_attempts_total", help: "Delivery attempts by channel and outcome.",
            labels: [("channel", channel), ("outcome", outcome)]
        ).increment()
    }

    /// Counts a taken-over delivery whose lost attempt the provider had taken (looked up in its
    /// list, recorded instead of sent again), by channel.
    public func lostAttemptFound(channel: String) {
        counter(
            key: "lost/\(channel)", "flightedge_relay_lost_attempts_found_total",
            help: "Taken-over deliveries found at the provider (recorded as sent, not sent again), by channel.",
            labels: [("channel", channel)]
        ).increment()
    }

    /// The labelled counter `name`, made on first use and kept under `key` (short: a small
    /// string needs no allocation, and this runs once per attempt).
    /// `labels` are built only when the counter is made.
    private func counter(
        key: String, _ name: String, help: String, labels: @autoclosure () -> [(String, String)]
    ) -> CoreMetrics.Counter {
        outcomes.withLock { counters in
            if let counter = counters[key] { return counter }
            let counter = factory.counter(name, help: help, labels: labels())
            counters[key] = counter
            return counter
        }
    }

    /// What `/metrics` reads from the store and the source at scrape time.
    public struct Figures: Sendable {
        /// Deliveries by (channel, state).
        public var deliveries: [(channel: String, state: String, count: Int)] = []
        /// Pending deliveries already due.
        public var dueNow = 0
        public var sourceConnected = false
        public var databaseUp = false

        public init() {}
    }

    /// `/metrics`: the scrape-time instruments set from `figures`, then the registry's text.
    public func exposition(of figures: Figures) -> [UInt8] {
        scraped.withLock { instruments in
            instruments.update(from: figures, factory: factory)
            var text: [UInt8] = []
            text.reserveCapacity(8192)
            factory.registry.emit(into: &text)
            return text
        }
    }

    /// 10 ms to 1 h: hold-downs and quiet hours make minutes and hours normal here.
    static let deliveryBuckets: [Duration] = [
        0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 150, 300, 600, 1800, 3600,
    ].map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
}

private struct ScrapedRelayInstruments: Sendable {
    var deliveries: [String: Meter] = [:]
    let dueNow: Meter
    let sourceUp: Meter
    let databaseUp: Meter

    init(factory: PrometheusMetricsFactory) {
        dueNow = factory.meter("flightedge_relay_deliveries_due", help: "Pending deliveries already due (the queue depth).")
        sourceUp = factory.meter("flightedge_relay_source_up", help: "1 when the event source is connected.")
        databaseUp = factory.meter("flightedge_relay_database_up", help: "1 when PostgreSQL answers.")
    }

    mutating func update(from figures: RelayMetrics.Figures, factory: PrometheusMetricsFactory) {
        for (channel, state, count) in figures.deliveries {
            let key = "\(channel)/\(state)"
            let meter =
                deliveries[key]
                ?? factory.meter(
                    "flightedge_relay_deliveries", help: "Deliveries by channel and state.",
                    labels: [("channel", channel), ("state", state)])
            deliveries[key] = meter
            meter.set(count)
        }
        dueNow.set(figures.dueNow)
        sourceUp.set(figures.sourceConnected ? 1 : 0)
        databaseUp.set(figures.databaseUp ? 1 : 0)
    }
}
