import Configuration
import FeedIngest
import FlightModel
import HistoryStore
import JSON
import Logging
import Publisher
import Synchronization
import Systemd

/// Every two seconds: the one-line `STATUS=` for `systemctl status`, `WATCHDOG=1` when the
/// pipeline progresses (``PipelineProgress/isProgressing``, the verdict `/healthz` gives too: a
/// health-gated watchdog, not a timer), and the retained `feeds/{feed}/status` topics when they
/// changed, and the stream's head in the retained `status` (``publishStreamHead()``).
final class StatusReporter: Sendable {
    let topicRoot: String
    let broker: BrokerLink
    let writer: HistoryWriter
    let publisher: OutboxPublisher
    let feeds: FeedRoster
    let progress: PipelineProgress
    let notifier: SystemdNotifier
    let logger: Logger
    let status: GatewayStatus
    private let lastPayloads = Mutex<[String: [UInt8]]>([:])
    /// The head last said and when; said again when it moved, or after ``headInterval``.
    private let lastHead = Mutex<(seq: Int64, at: ContinuousClock.Instant)?>(nil)
    /// A relay that missed the last one (the bridge was cut when it went) hears it again this soon.
    static let headInterval: Duration = .seconds(10)

    init(
        topicRoot: String, broker: BrokerLink, writer: HistoryWriter, publisher: OutboxPublisher,
        feeds: FeedRoster, progress: PipelineProgress, notifier: SystemdNotifier, logger: Logger, status: GatewayStatus
    ) {
        self.status = status
        self.topicRoot = topicRoot
        self.broker = broker
        self.writer = writer
        self.publisher = publisher
        self.feeds = feeds
        self.progress = progress
        self.notifier = notifier
        self.logger = logger
    }

    func run() async {
        // The stream head reads PostgreSQL: in a loop of its own, so a stuck commit (which that
        // read may wait behind) never holds up STATUS= and the watchdog. Not awaited at the end:
        // a read stuck at the stop must not hold the stop either.
        let head = Task { await self.headLoop() }
        defer { head.cancel() }
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(2))
            // Alive: idle waiting for frames, or committed or retried within the stall limit.
            if progress.isProgressing { notifier.post(.watchdog) }
            notifier.post(.status(await statusLine()))
            await publishFeedStatus()
        }
    }

    private func headLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(2))
            await publishStreamHead()
        }
    }

    /// The retained `status` again with `stream_seq`, the last number given to an event, once the
    /// publisher has handed over everything (a number still in the outbox would make a relay
    /// ask for events that are on their way). Events lost between the broker and the centre
    /// leave a hole a relay sees only when a later number arrives; at the end of a day or
    /// before a quiet night nothing later comes, and this says where the stream ends.
    private func publishStreamHead() async {
        guard await publisher.isIdle, let bounds = try? await writer.eventStreamBounds(), bounds.lastAssigned > 0 else { return }
        let now = ContinuousClock.now
        let due = lastHead.withLock { last -> Bool in
            if let said = last, said.seq == bounds.lastAssigned, now - said.at < Self.headInterval { return false }
            last = (bounds.lastAssigned, now)
            return true
        }
        guard due else { return }
        await publisher.enqueueState([
            OutgoingMessage(
                topic: "\(topicRoot)/status", payload: status.payload(online: true, streamSeq: bounds.lastAssigned), qos: 1,
                retain: true)
        ])
    }

    /// `feeds 2/2 up · lag 0.4 s · outbox 0 · mqtt up · pg up`, after a refused reload's reason
    /// until a reload succeeds.
    func statusLine() async -> String {
        let pending = await publisher.pendingCount
        let outage = writer.outage
        let running = feeds.feeds
        let up = running.filter(\.isUp).count
        let lag = (Double(progress.lastLagMilliseconds) / 100).rounded() / 10
        let line = "feeds \(up)/\(running.count) up · lag \(lag) s · outbox \(pending) · mqtt \(broker.isConnected ? "up" : "down") · pg \(outage ? "down" : "up")"
        return feeds.reloadProblem.map { "\($0) · \(line)" } ?? line
    }

    private func publishFeedStatus() async {
        var messages: [OutgoingMessage] = []
        for running in feeds.feeds {
            let feed = running.config
            let payload = FeedStatusPayload.bytes(
                feed: feed, counters: running.counters.snapshot, lagMilliseconds: progress.lastLagMilliseconds)
            let topic = "\(topicRoot)/feeds/\(feed.name)/status"
            let changed = lastPayloads.withLock { last -> Bool in
                if last[topic] == payload { return false }
                last[topic] = payload
                return true
            }
            if changed {
                messages.append(OutgoingMessage(
                    topic: topic, payload: payload, qos: 1, retain: true, schema: FeedStatusPayload.schema))
            }
        }
        if !messages.isEmpty { await publisher.enqueueState(messages) }
    }
}
