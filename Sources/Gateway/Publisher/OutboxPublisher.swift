import CoreMetrics
import FlightModel
import Logging
import MQTT
import MQTTWire
import Telemetry
import Timing

/// Where the publisher finds the outbox: PostgreSQL in the daemon.
public protocol OutboxStore: Sendable {
    /// Marks rows as acknowledged by the broker.
    func markPublished(_ ids: [Int64]) async throws
    /// Unpublished events with an id above `id`, in id order.
    func unpublished(after id: Int64, limit: Int) async throws -> [OutgoingMessage]
}

/// Sends committed events and retained state to the broker and marks events published on
/// PUBACK (DESIGN.md §1, §5).
///
/// Events leave in outbox order. While the broker is away they stay in the outbox; the
/// publisher keeps at most `memoryLimit` of them in memory and reads the rest back from
/// PostgreSQL when it catches up, so an outage of any length costs disk, not memory. After
/// every (re)connect it says `online`, subscribes to `cmd/resync`, re-publishes all retained
/// state (the birth) and re-sends every event that was not acknowledged.
public actor OutboxPublisher {
    /// What the publisher needs to know.
    public struct Settings: Sendable {
        public var statusTopic: String
        public var onlinePayload: [UInt8]
        public var offlinePayload: [UInt8]
        public var resyncTopic: String
        /// QoS 1 messages in flight at once.
        public var maxInflight: Int = 100
        /// Events held in memory before the rest wait in PostgreSQL only, and are read back
        /// in id order when the publisher catches up. Also what bounds memory when a burst is
        /// committed faster than the broker acknowledges: at 50,000 the whole 10,000-flight
        /// burst's events (~600 bytes each with payload and id) stayed in memory, 20–25 MB
        /// of its peak (docs/PERFORMANCE.md).
        public var memoryLimit: Int = 8_000
        /// MQTT v5 message expiry on events, seconds.
        public var eventExpirySeconds: UInt32 = 6 * 3600
        /// `{prefix}/{IATA}/cmd/replay`: subscribed after every (re)connect, its messages go to
        /// ``OutboxPublisher/replayRequests``; nil: no replays.
        public var replayTopic: String?

        public init(statusTopic: String, onlinePayload: [UInt8], offlinePayload: [UInt8], resyncTopic: String) {
            self.statusTopic = statusTopic
            self.onlinePayload = onlinePayload
            self.offlinePayload = offlinePayload
            self.resyncTopic = resyncTopic
        }
    }

    private let link: any PublisherLink
    private let store: any OutboxStore
    let settings: Settings
    private let birth: @Sendable () async -> [OutgoingMessage]
    let logger: Logger
    private let metrics: GatewayMetrics?

    var events: [OutgoingMessage] = []
    var eventsHead = 0
    /// Retained state waiting to go, latest payload per topic, in first-queued order.
    private var stateOrder = TopicQueue()
    private var stateByTopic: [String: OutgoingMessage] = [:]
    var inflight: [Int32: OutgoingMessage] = [:]
    private var acknowledged: [Int64] = []
    /// Writes of acknowledged ids under way (their ids have left `acknowledged`).
    private var flushesInFlight = 0
    /// ``drain(timeout:)`` and ``sayOffline(timeout:)``, waiting for the next PUBACK, outbox
    /// write or backlog read, or for their deadline.
    private var progressWaiters: [CheckedContinuation<Void, Never>] = []
    /// Events exist in the outbox beyond what is in memory: read them back from `cursor` on.
    private var backlog = true
    private var cursor: Int64 = 0
    private var highestHandedOver: Int64 = 0
    private var loadingBacklog = false
    private var connected = false
    private var everConnected = false
    /// Messages the broker refused (PUBACK reason 0x80 or more: not authorised by its ACL, a
    /// quota), sent again after a backoff; each reason is logged once until publishes pass again.
    private var refused: [OutgoingMessage] = []
    private var refusalBackoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(60))
    private var refusalRetryScheduled = false
    private var loggedRefusals: Set<Int32> = []
    /// Events published again on request (``replay(_:)``), sent after the live ones.
    var replays: [OutgoingMessage] = []
    var replaysHead = 0
    /// Replayed messages handed to the broker so far, less those put back by a lost connection:
    /// ``replay(_:)`` returns once its messages are counted here.
    var replaysSent = 0
    var replaysQueued = 0
    /// The link's events ended: nothing will be sent any more.
    var linkEnded = false
    /// `offline` was said for a clean stop: a later `online` (the status reporter's stream head)
    /// must not overwrite it.
    private var saidOffline = false
    let replayRequestsContinuation: AsyncStream<[UInt8]>.Continuation

    /// The payloads of replay requests received on ``Settings/replayTopic``, in order; at most
    /// 64 wait (more are dropped and logged). The daemon's replay service consumes them.
    public nonisolated let replayRequests: AsyncStream<[UInt8]>
    /// Replayed events the broker acknowledged, for `/metrics`.
    public internal(set) var replayedAcknowledged: Int64 = 0

    /// ``SlowUpdateTrace``'s threshold (0: off), and the batch last traced.
    private let slowTrace = SlowUpdateTrace.thresholdNanoseconds
    private var lastTracedBatch: UInt64 = 0

    /// Counters for `/metrics` and the status line.
    public private(set) var published: Int64 = 0

    public init(
        link: any PublisherLink, store: any OutboxStore, settings: Settings, logger: Logger, metrics: GatewayMetrics? = nil,
        birth: @escaping @Sendable () async -> [OutgoingMessage]
    ) {
        self.metrics = metrics
        self.link = link
        self.store = store
        self.settings = settings
        self.logger = logger
        self.birth = birth
        (replayRequests, replayRequestsContinuation) = AsyncStream.makeStream(of: [UInt8].self, bufferingPolicy: .bufferingOldest(64))
    }

    /// Messages waiting in memory or in flight, and the events handed over that wait in the
    /// outbox only (beyond ``Settings/memoryLimit``, or while the broker was away).
    public var pendingCount: Int {
        let inOutboxOnly = backlog ? Int(max(0, highestHandedOver - cursor)) : 0
        return events.count - eventsHead + inflight.count + stateOrder.count + refused.count + replays.count - replaysHead
            + inOutboxOnly
    }

    /// True while everything handed over is acknowledged and nothing waits in the outbox.
    public var isIdle: Bool { pendingCount == 0 && !backlog && acknowledged.isEmpty && flushesInFlight == 0 }

    /// Hands over events that were just committed (ascending outbox ids).
    public func enqueueEvents(_ messages: [OutgoingMessage]) {
        for message in messages {
            if let id = message.outboxID { highestHandedOver = max(highestHandedOver, id) }
        }
        if backlog || events.count - eventsHead + messages.count > settings.memoryLimit {
            // They are safe in the outbox; the backlog reader brings them in order.
            backlog = true
        } else {
            events.append(contentsOf: messages)
            if let last = messages.last?.outboxID { cursor = max(cursor, last) }
        }
        pump()
    }

    /// Hands over retained state; a newer payload for a topic replaces one still waiting.
    public func enqueueState(_ messages: [OutgoingMessage]) {
        for message in messages {
            if saidOffline && message.topic == settings.statusTopic { continue }
            // One lookup of the topic when it is waiting (a subscript, then `updateValue`,
            // hashed the ~40 bytes twice).
            guard let index = stateByTopic.index(forKey: message.topic) else {
                stateByTopic[message.topic] = message
                stateOrder.append(message.topic)
                continue
            }
            var message = message
            let waiting = stateByTopic.values[index].receivedAtNanoseconds
            if waiting > 0 {
                // Coalesced: the latency counts from the older frame the topic was waiting for.
                message.receivedAtNanoseconds =
                    message.receivedAtNanoseconds == 0 ? waiting : min(message.receivedAtNanoseconds, waiting)
            }
            stateByTopic.values[index] = message
        }
        pump()
    }

    /// Consumes the broker link's events until the link stops. Run it in its own task.
    public func run() async {
        let flusher = Task { await self.flushLoop() }
        defer { flusher.cancel() }
        for await event in link.events {
            await handle(event)
        }
        linkEnded = true
        replayRequestsContinuation.finish()
        progressed()
    }

    private func handle(_ event: MQTTEvent) async {
        let cameUp = link.observe(event)
        switch event {
        case .connected where cameUp:
            let reconnected = everConnected
            if reconnected { metrics?.brokerReconnects.increment() }
            everConnected = true
            connected = true
            // Nothing from before the outage follows the birth: the link sends a message only
            // on the connection it was handed to, and what was not acknowledged there comes back
            // here (`requeueInflight`), events again, state superseded by the birth.
            await announce()
        case .disconnected:
            if connected { requeueInflight() }
            connected = false
        case .published(let messageID, let reasonCode):
            acknowledge(messageID, reasonCode: reasonCode, at: monotonicNanoseconds())
            pump()
            progressed()
        case .publishedMany(let acknowledgements):
            // A read's PUBACKs: the window is refilled once for them all, so the messages that
            // replace them leave together.
            let now = monotonicNanoseconds()
            for (messageID, reasonCode) in acknowledgements { acknowledge(messageID, reasonCode: reasonCode, at: now) }
            pump()
            progressed()
        case .message(let message) where message.topic == settings.resyncTopic:
            logger.info("resync requested; re-publishing all retained state")
            enqueueState(await birth())
        case .message(let message) where message.topic == settings.replayTopic:
            received(replayRequest: message.payload)
        default:
            break
        }
    }

    /// The broker's answer to one message: counted and its outbox row noted, or kept for a retry.
    private func acknowledge(_ messageID: Int32, reasonCode: Int32, at now: UInt64) {
        guard let message = inflight.removeValue(forKey: messageID) else { return }
        if reasonCode >= 0x80 {
            refusedPublish(message, reasonCode: reasonCode)
            return
        }
        if message.refusedBefore && !loggedRefusals.isEmpty {
            logger.notice("broker accepts our publishes again", metadata: ["topic": "\(message.topic)"])
            loggedRefusals.removeAll()
            refusalBackoff.reset()
        }
        published += 1
        if let metrics {
            metrics.publishSeconds.recordNanoseconds(Int64(truncatingIfNeeded: now &- message.sentAtNanoseconds))
            if message.receivedAtNanoseconds > 0 {
                metrics.receiptToPubackSeconds.recordNanoseconds(Int64(truncatingIfNeeded: now &- message.receivedAtNanoseconds))
                if slowTrace > 0 && now &- message.receivedAtNanoseconds > slowTrace { traceSlow(message, acknowledgedAt: now) }
            }
        }
        if let id = message.outboxID { acknowledged.append(id) }
        if message.isReplay { replayedAcknowledged += 1 }
    }

    /// Keeps a refused message to send again after the backoff: an event must reach the broker
    /// once its ACL is fixed, without a busy loop meanwhile.
    private func refusedPublish(_ message: OutgoingMessage, reasonCode: Int32) {
        metrics?.publishRefusals.increment()
        if loggedRefusals.insert(reasonCode).inserted {
            logger.error(
                "broker refused a publish; it is kept and sent again with backoff (logged once per reason). Check the broker's ACL for this client's user",
                metadata: [
                    "topic": "\(message.topic)", "reason": "\(MQTTClient.reasonText(reasonCode)) (\(reasonCode))",
                ])
        }
        var message = message
        message.refusedBefore = true
        refused.append(message)
        guard !refusalRetryScheduled else { return }
        refusalRetryScheduled = true
        let delay = refusalBackoff.nextDelay()
        Task {
            try? await Task.sleep(for: delay)
            self.retryRefused()
        }
    }

    private func retryRefused() {
        refusalRetryScheduled = false
        let retry = refused
        refused.removeAll()
        let retriedEvents = retry.filter { $0.outboxID != nil }.sorted { ($0.outboxID ?? 0) < ($1.outboxID ?? 0) }
        events.replaceSubrange(eventsHead..<eventsHead, with: retriedEvents)
        requeueReplays(retry.filter(\.isReplay))
        for message in retry where message.outboxID == nil && !message.isReplay { enqueueStateLater(message) }
        pump()
    }

    /// After each (re)connect: the resync and replay subscriptions, online, the birth, then the
    /// events. Subscribed first, so that a request sent on seeing `online` is never missed.
    private func announce() async {
        try? link.subscribe(settings.resyncTopic, qos: 1)
        if let replayTopic = settings.replayTopic { try? link.subscribe(replayTopic, qos: 1) }
        _ = try? link.publish(topic: settings.statusTopic, payload: settings.onlinePayload, qos: 1, retain: true)
        // The birth replaces the state waiting for the same topics (it is newer or the same);
        // what it does not cover, such as the clear of a flight housekeeping removed during the
        // outage, still goes: a broker that kept its persistence would otherwise show it forever.
        let retained = await birth()
        let born = Set(retained.map(\.topic))
        stateOrder.removeAll { born.contains($0) }
        for topic in born { stateByTopic.removeValue(forKey: topic) }
        logger.info("birth: re-publishing retained state", metadata: ["messages": "\(retained.count)"])
        enqueueState(retained)
        pump()
    }

    /// Puts unacknowledged events back at the front, in id order, to be sent again.
    private func requeueInflight() {
        let unacknowledged = inflight.values.sorted { ($0.outboxID ?? 0) < ($1.outboxID ?? 0) }
        inflight.removeAll()
        let resend = unacknowledged.filter { $0.outboxID != nil }
        events.replaceSubrange(eventsHead..<eventsHead, with: resend)
        requeueReplays(unacknowledged.filter(\.isReplay))
    }

    /// Fills the in-flight window: state first (boards), then events in outbox order.
    func pump() {
        guard connected else { return }
        while inflight.count < settings.maxInflight, let topic = stateOrder.popFirst() {
            guard let message = stateByTopic.removeValue(forKey: topic) else { continue }
            guard send(message) else { return }
        }
        while inflight.count < settings.maxInflight, eventsHead < events.count {
            guard send(events[eventsHead]) else { return }
            eventsHead += 1
        }
        if eventsHead > 4096 || eventsHead == events.count {
            events.removeFirst(eventsHead)
            eventsHead = 0
        }
        pumpReplays()
        if backlog && !loadingBacklog && events.count < settings.maxInflight {
            loadingBacklog = true
            Task { await self.loadBacklog() }
        }
    }

    func send(_ message: OutgoingMessage) -> Bool {
        var message = message
        // Newer state for a topic replaces a refused older one waiting for its retry.
        if message.outboxID == nil && !message.isReplay && !refused.isEmpty {
            refused.removeAll { $0.outboxID == nil && !$0.isReplay && $0.topic == message.topic }
        }
        var properties: MQTTWire.MQTTPublishProperties?
        if link.protocolVersion == .v5 {
            var userProperties: [MQTTUserProperty] = []
            userProperties.reserveCapacity(2)
            if let schema = message.schema { userProperties.append(MQTTUserProperty("schema", schema)) }
            if let eventID = message.eventID { userProperties.append(MQTTUserProperty("event_id", eventID)) }
            properties = MQTTWire.MQTTPublishProperties(
                messageExpirySeconds: message.eventID != nil ? settings.eventExpirySeconds : nil,
                contentType: message.payload.isEmpty ? nil : "application/json",
                userProperties: userProperties)
        }
        do {
            let messageID = try link.publish(
                topic: message.topic, payload: message.payload, qos: message.qos, retain: message.retain,
                properties: properties)
            message.sentAtNanoseconds = monotonicNanoseconds()
            inflight[messageID] = message
            return true
        } catch {
            // Not connected after all. An event stays at the head of its queue; state goes
            // back to the front of the state queue. The reconnect sends both (a replayed event
            // stays at the head of the replay queue).
            if message.outboxID == nil && !message.isReplay { enqueueStateLater(message) }
            return false
        }
    }

    private func enqueueStateLater(_ message: OutgoingMessage) {
        if stateByTopic[message.topic] == nil {
            stateByTopic[message.topic] = message
            stateOrder.pushFront(message.topic)
        }
    }

    /// Reads events that only the outbox holds, in id order, until memory holds them all.
    private func loadBacklog() async {
        defer {
            loadingBacklog = false
            progressed()
        }
        let limit = max(1000, settings.maxInflight * 4)
        do {
            let rows = try await store.unpublished(after: cursor, limit: limit)
            let known = Set(inflight.values.compactMap(\.outboxID))
            let fresh = rows.filter { !known.contains($0.outboxID ?? 0) && ($0.outboxID ?? 0) > cursor }
            events.append(contentsOf: fresh)
            if let last = rows.last?.outboxID { cursor = max(cursor, last) }
            if rows.count < limit && cursor >= highestHandedOver {
                backlog = false
                if !fresh.isEmpty || rows.isEmpty {
                    logger.debug("outbox backlog read", metadata: ["rows": "\(rows.count)"])
                }
            }
        } catch {
            logger.error("cannot read the outbox backlog; retrying", metadata: ["error": "\(error)"])
            try? await Task.sleep(for: .seconds(1))
        }
        pump()
    }

    private func flushLoop() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
            await flushAcknowledged()
        }
    }

    /// Writes the acknowledged ids to the outbox.
    public func flushAcknowledged() async {
        guard !acknowledged.isEmpty else { return }
        let ids = acknowledged
        acknowledged.removeAll(keepingCapacity: true)
        flushesInFlight += 1
        defer {
            flushesInFlight -= 1
            progressed()
        }
        do {
            try await store.markPublished(ids)
        } catch {
            acknowledged.insert(contentsOf: ids, at: 0)
            logger.error("cannot mark outbox rows published; will retry", metadata: ["error": "\(error)"])
        }
    }

    /// Waits until every event handed over is acknowledged and recorded in the outbox, or
    /// `timeout` passes. Returns true when everything went out.
    public func drain(timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        let timer = wakeAt(deadline)
        defer { timer.cancel() }
        while true {
            await flushAcknowledged()
            if isIdle { return true }
            if ContinuousClock.now >= deadline { return false }
            await nextProgress()
        }
    }

    /// Says `offline` (retained) and waits briefly for its PUBACK; for a clean stop.
    public func sayOffline(timeout: Duration) async {
        saidOffline = true
        if stateByTopic.removeValue(forKey: settings.statusTopic) != nil { stateOrder.removeAll { $0 == settings.statusTopic } }
        guard connected, let messageID = try? link.publish(
            topic: settings.statusTopic, payload: settings.offlinePayload, qos: 1, retain: true)
        else { return }
        inflight[messageID] = OutgoingMessage(topic: settings.statusTopic, payload: settings.offlinePayload, qos: 1, retain: true)
        let deadline = ContinuousClock.now + timeout
        let timer = wakeAt(deadline)
        defer { timer.cancel() }
        while inflight[messageID] != nil && ContinuousClock.now < deadline {
            await nextProgress()
        }
    }

    /// Suspends until the next PUBACK, outbox write or backlog read (or a deadline's wake-up).
    func nextProgress() async {
        await withCheckedContinuation { progressWaiters.append($0) }
    }

    /// Wakes whoever waits for progress.
    func progressed() {
        guard !progressWaiters.isEmpty else { return }
        let waiters = progressWaiters
        progressWaiters.removeAll()
        for waiter in waiters { waiter.resume() }
    }

    /// Logs where a slow update's time went, once per batch (``SlowUpdateTrace``).
    private func traceSlow(_ message: OutgoingMessage, acknowledgedAt now: UInt64) {
        let stages = message.stages
        guard stages.taken != lastTracedBatch else { return }
        lastTracedBatch = stages.taken
        let span = SlowUpdateTrace.span
        logger.notice(
            "slow update",
            metadata: [
                "total_us": "\(span(message.receivedAtNanoseconds, now))",
                "queued_us": "\(span(message.receivedAtNanoseconds, stages.taken))",
                "merge_us": "\(span(stages.taken, stages.merged))",
                // Merging the frames that came while the commit before ran, until it ended.
                "behind_previous_commit_us": "\(span(stages.merged, stages.prepared))",
                "to_commit_us": "\(span(stages.prepared, stages.commitStarted))",
                "writer_wait_us": "\(span(stages.commitStarted, stages.writerStarted))",
                "commit_us": "\(span(stages.writerStarted, stages.committed))",
                "to_publisher_us": "\(span(stages.committed, stages.handedOver))",
                "to_send_us": "\(span(stages.handedOver, message.sentAtNanoseconds))",
                "puback_us": "\(span(message.sentAtNanoseconds, now))",
                "received_mono_ns": "\(message.receivedAtNanoseconds)", "topic": "\(message.topic)",
            ])
    }

    /// Wakes the waiters at `deadline`, so a wait that sees no progress still ends.
    private func wakeAt(_ deadline: ContinuousClock.Instant) -> Task<Void, Never> {
        Task { [weak self] in
            try? await Task.sleep(until: deadline, clock: .continuous)
            await self?.progressed()
        }
    }
}
