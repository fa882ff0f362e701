import CoreMetrics
import Prometheus
import Synchronization

/// Each airport's stream at the centre (issue #13) as gauges labelled `airport`, beside
/// `GET /v1/airports`: events recorded, highest contiguous `stream_seq`, open gaps and the events
/// they miss, replay requests sent, seconds since the last event, and the status (one gauge per
/// status, 1 for the current one). Set by the relay's replay round every few seconds.
public final class AirportMetrics: Sendable {
    /// One airport's figures.
    public struct Figures: Sendable {
        public var airport: String
        public var events: Int64
        public var highestContiguous: Int64
        public var openGaps: Int
        public var missing: Int64
        public var replays: Int64
        public var secondsSinceLastEvent: Double
        /// `online`, `silent` or `gaps`.
        public var status: String

        public init(
            airport: String, events: Int64, highestContiguous: Int64, openGaps: Int, missing: Int64, replays: Int64,
            secondsSinceLastEvent: Double, status: String
        ) {
            self.airport = airport
            self.events = events
            self.highestContiguous = highestContiguous
            self.openGaps = openGaps
            self.missing = missing
            self.replays = replays
            self.secondsSinceLastEvent = secondsSinceLastEvent
            self.status = status
        }
    }

    /// Replay requests this instance sent.
    public let replayRequests: CoreMetrics.Counter
    private let factory: PrometheusMetricsFactory
    private let meters = Mutex<[String: Meter]>([:])

    public static let statuses = ["online", "silent", "gaps", "offline"]

    public init(factory: PrometheusMetricsFactory) {
        self.factory = factory
        replayRequests = factory.counter(
            "flightedge_relay_replay_requests_total", help: "Replay requests this instance sent to airports (cmd/replay).")
    }

    /// Sets every airport's gauges.
    public func update(_ airports: [Figures]) {
        for figures in airports {
            let airport = figures.airport
            set("flightedge_relay_airport_events", "Events recorded per airport (first time seen).", airport, Double(figures.events))
            set(
                "flightedge_relay_airport_highest_contiguous_seq", "Highest stream_seq below which nothing is missing.", airport,
                Double(figures.highestContiguous))
            set("flightedge_relay_airport_open_gaps", "Open holes in the airport's stream_seq.", airport, Double(figures.openGaps))
            set("flightedge_relay_airport_missing_events", "Events missing in the open holes.", airport, Double(figures.missing))
            set("flightedge_relay_airport_replays", "Replay requests sent to the airport (all instances).", airport, Double(figures.replays))
            set(
                "flightedge_relay_airport_seconds_since_event", "Seconds since the airport's last recorded event.", airport,
                figures.secondsSinceLastEvent)
            for status in Self.statuses {
                set(
                    "flightedge_relay_airport_status", "1 for the airport's current status (online, silent, gaps, offline).", airport,
                    figures.status == status ? 1 : 0, extra: ("status", status))
            }
        }
    }

    private func set(_ name: String, _ help: String, _ airport: String, _ value: Double, extra: (String, String)? = nil) {
        let key = "\(name)/\(airport)/\(extra?.1 ?? "")"
        let meter = meters.withLock { meters in
            if let meter = meters[key] { return meter }
            var labels = [("airport", airport)]
            if let extra { labels.append(extra) }
            let meter = factory.meter(name, help: help, labels: labels)
            meters[key] = meter
            return meter
        }
        meter.set(value)
    }
}
