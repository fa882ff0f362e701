import Configuration
import CoreMetrics
import EventSource
import Logging
import RelayStore
import Telemetry

/// Asks airports to replay the holes in their event streams (issue #13): every round it sends
/// the requests that are due under the ``ReplayPolicy`` through the event source (one relay
/// instance at a time: the store's advisory lock), and sets the airports' gauges in `/metrics`.
/// A request that cannot go out (source down) is tried again on the next round.
struct ReplayRequester: Sendable {
    let store: RelayStore
    let source: any EventSource
    let policy: ReplayPolicy
    let thresholds: AirportThresholds
    let metrics: AirportMetrics
    let logger: Logger

    init(store: RelayStore, source: any EventSource, central: RelayCentralConfig, metrics: AirportMetrics, logger: Logger) {
        self.store = store
        self.source = source
        self.thresholds = AirportThresholds(central)
        self.policy = thresholds.policy
        self.metrics = metrics
        self.logger = logger
    }

    /// A round every quarter of the replay threshold (at least every 5 s, at most every 250 ms),
    /// until cancelled.
    func run() async {
        let interval = Duration.milliseconds(Int64(min(max(policy.replayAfter * 250, 250), 5_000)))
        while !Task.isCancelled {
            await round()
            try? await Task.sleep(for: interval)
        }
    }

    func round() async {
        let source = source
        do {
            let sent = try await store.sendDueReplays(policy: policy) { target in
                try source.send(ReplayCommand(airport: target.airport, from: target.from, to: target.to))
            }
            for target in sent {
                metrics.replayRequests.increment()
                logger.notice(
                    "replay requested", metadata: ["airport": "\(target.airport)", "from": "\(target.from)", "to": "\(target.to)"])
            }
            let airports = try await store.airportStreams()
            metrics.update(airports.map { thresholds.figures(of: $0) })
        } catch {
            logger.warning("replay round failed; trying again", metadata: ["error": "\(error)"])
        }
    }
}

/// The thresholds an airport's status is judged by (`[central]`).
struct AirportThresholds: Sendable {
    var policy: ReplayPolicy
    var silentAfter: Double

    init(_ central: RelayCentralConfig) {
        policy = ReplayPolicy(
            replayAfter: Double(central.replayAfterSeconds), maximumBackoff: Double(central.replayBackoffMaxSeconds))
        silentAfter = Double(central.silentAfterSeconds)
    }

    func status(of record: AirportStreamRecord) -> AirportStatus {
        AirportStatus.of(
            lastHeardAt: record.lastHeardAt, oldestGapProgressAt: record.oldestGapProgressAt, now: record.now,
            silentAfter: silentAfter, replayAfter: policy.replayAfter, gateway: record.gateway, bridge: record.bridge)
    }

    func figures(of record: AirportStreamRecord) -> AirportMetrics.Figures {
        AirportMetrics.Figures(
            airport: record.airport, events: record.events, highestContiguous: record.highestContiguous,
            openGaps: record.openGaps, missing: record.missing, replays: record.replays,
            secondsSinceLastEvent: max(0, record.now - record.lastEventAt), status: status(of: record).rawValue)
    }
}
