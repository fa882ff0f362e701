import CoreMetrics
import FeedFormats
import FeedIngest
import FlightModel
import HistoryStore
import Logging
import Postgres
import Publisher
import Synchronization
import Telemetry

/// The heart of the daemon (DESIGN.md §1): takes what the feeds queued, decodes it, merges it
/// into the flights' state, commits one batch in one transaction, then hands the committed
/// events and state to the publisher.
///
/// Two stages overlap: while one batch's commit is in flight (PostgreSQL works on the other
/// core), the next batch is decoded, merged and rendered from whatever arrives meanwhile, up to
/// `maxBatch` frames. Under light load each frame commits at once (nothing waits for a batch to
/// fill); under heavy load batches grow and the per-row cost falls. At most one commit is in
/// flight, and batches are committed and published in order.
final class FlightPipeline: Sendable {
    struct Settings: Sendable {
        /// Frames per batch at most. Bigger batches cost PostgreSQL less per frame and coalesce
        /// more of a flight's updates into one state row and publish: with 10,000 flights,
        /// 2,000 → 4,000 frames took a burst from ~22,000 to ~28,000 updates/s for 20 MB more
        /// resident memory (138 MB); 6,000 reached 32,000 at 148 MB, too near the 150 MB budget
        /// (docs/PERFORMANCE.md).
        static let defaultMaxBatch = 4000
        var maxBatch = defaultMaxBatch
        var context: PayloadContext
        var topicRoot: String
    }

    private let queue: IngestQueue<Frame>
    private let writer: HistoryWriter
    private let publisher: OutboxPublisher
    private let feeds: FeedRoster
    private let settings: Settings
    private let logger: Logger
    let progress: PipelineProgress
    let metrics: GatewayMetrics
    /// Committed state as the retained topics show it; read by the birth.
    let board: Mutex<RetainedBoard>
    private let engine: Mutex<StateEngine>
    /// Frames and rejections per spool file whose last frame is not committed yet.
    private let spoolFiles = Mutex<[String: (frames: Int, rejected: Int)]>([:])
    /// The `seq` each flight was rendered with by a batch not yet on the board (the one in
    /// flight): the next batch's `prev_seq` continues from it.
    private let renderedSeq = Mutex<[String: Int64]>([:])
    /// Flights in the database but not in the engine (ended long ago, or forgotten by
    /// housekeeping): only these are looked up when an update names a flight the engine lacks.
    private let storedOnly: Mutex<Set<String>>
    private let freeMemory = FreeMemoryReturn()

    init(
        queue: IngestQueue<Frame>, writer: HistoryWriter, publisher: OutboxPublisher, engine: StateEngine,
        board: RetainedBoard, storedOnly: Set<String>, feeds: FeedRoster,
        settings: Settings, progress: PipelineProgress, metrics: GatewayMetrics, logger: Logger
    ) {
        self.metrics = metrics
        self.queue = queue
        self.writer = writer
        self.publisher = publisher
        self.engine = Mutex(engine)
        self.board = Mutex(board)
        self.storedOnly = Mutex(storedOnly)
        self.feeds = feeds
        self.settings = settings
        self.progress = progress
        self.logger = logger
    }

    /// How a commit in flight ended.
    private enum CommitOutcome: Sendable {
        case committed
        /// PostgreSQL refused the batch itself (a data error, not an outage).
        case refused(Work, PostgresError)
    }

    /// Runs until the queue is finished and drained.
    func run() async throws {
        var inFlight: Task<CommitOutcome, any Error>?
        let commitEnded = CommitFlag()
        let publishing = PublishStage(pipeline: self)
        defer { publishing.close() }
        while true {
            // Nothing waiting: wait for frames or for the commit in flight to end, whichever
            // comes first, so that a batch PostgreSQL refused is sorted out now, not when the
            // next frames happen to arrive, while frames that do arrive are prepared at once.
            if let previous = inFlight, queue.count == 0 {
                while queue.count == 0 && !commitEnded.ended && !queue.isFinished {
                    await queue.waitForItemsOrWake()
                }
                if commitEnded.ended {
                    inFlight = nil
                    try await recover(from: previous.value, publishing: publishing)
                }
            }
            progress.setIdle(queue.count == 0 && commitEnded.ended)
            let frames = await queue.takeBatch(maxItems: settings.maxBatch)
            progress.setIdle(false)
            if frames.isEmpty { break }
            var work = Work()
            try await prepare(frames, into: &work)
            // While the previous commit runs, keep preparing what arrives; then commit it all.
            while !commitEnded.ended && work.frames.count < settings.maxBatch {
                let more = queue.takeAvailable(maxItems: settings.maxBatch - work.frames.count)
                if more.isEmpty {
                    await queue.waitForItemsOrWake()
                } else {
                    try await prepare(more, into: &work)
                }
            }
            // Rendered before the wait: `prev_seq` comes from the batch in flight, not its commit.
            finish(&work)
            if let previous = inFlight, case let outcome = try await previous.value, case .refused = outcome {
                // The batch in hand was merged on top of the refused one: undo both, newest
                // first, find the bad frame of the refused batch, then prepare this one again.
                undo(work)
                try await recover(from: outcome, publishing: publishing)
                let frames = work.frames
                work = Work()
                try await prepare(frames, into: &work)
                finish(&work)
            }
            commitEnded.ended = false
            let batch = work
            inFlight = Task {
                defer {
                    commitEnded.ended = true
                    queue.wake()
                }
                return try await commit(batch, publishing: publishing)
            }
        }
        if let previous = inFlight { try await recover(from: previous.value, publishing: publishing) }
        await publishing.drain()
    }

    /// After a commit, once nothing prepared sits on top of it: a refused batch is undone
    /// and committed again frame by frame.
    private func recover(from outcome: CommitOutcome, publishing: PublishStage) async throws {
        guard case .refused(let refused, let error) = outcome else { return }
        undo(refused)
        await publishing.drain()
        renderedSeq.withLock { $0.removeAll() }
        try await commitOneByOne(refused.frames, after: error, publishing: publishing)
    }

    /// The third stage: committed batches go to the board and the publisher in commit order,
    /// while the next batch's commit already runs.
    private final class PublishStage: Sendable {
        private let continuation: AsyncStream<(Work, [Int64?])>.Continuation
        private let task: Task<Void, Never>
        private let submitted = Counter()
        private let done = Counter()

        init(pipeline: FlightPipeline) {
            let (stream, continuation) = AsyncStream.makeStream(of: (Work, [Int64?]).self)
            self.continuation = continuation
            let done = self.done
            task = Task {
                for await (work, outboxIDs) in stream {
                    await pipeline.published(work, outboxIDs: outboxIDs)
                    done.value.add(1, ordering: .releasing)
                }
            }
        }

        func submit(_ work: Work, outboxIDs: [Int64?]) {
            submitted.value.add(1, ordering: .relaxed)
            continuation.yield((work, outboxIDs))
        }

        /// Waits until everything submitted is published.
        func drain() async {
            while done.value.load(ordering: .acquiring) < submitted.value.load(ordering: .relaxed) {
                try? await Task.sleep(for: .milliseconds(1))
            }
        }

        func close() { continuation.finish() }

        private final class Counter: Sendable {
            let value = Atomic<Int>(0)
        }
    }

    /// Everything one batch produces before its commit.
    private struct Work: Sendable {
        var frames: [Frame] = []
        var batch = CommitBatch()
        /// Each touched flight's state before the batch (nil: new), to undo a refused commit.
        var before: [String: FlightState?] = [:]
        /// Each touched flight's state after the batch, in first-touch order.
        var touched: [String] = []
        var after: [String: FlightState] = [:]
        var events: [(event: FlightEvent, message: OutgoingMessage)] = []
        /// Spool-file frames, used or rejected, for the bookkeeping after the commit.
        var fileFrames: [(completion: FileCompletion, rejected: Bool)] = []
        var updates = 0
        var rejectedByFeed: [String: Int] = [:]
        var oldestReceipt = Int64.max
        /// Monotonic receipt of the first frame that touched each flight, for latency.
        var firstReceipt: [String: UInt64] = [:]
        /// The batch's flights with the `seq` they were rendered at.
        var renderedSeqs: [(String, Int64)] = []
        /// Frames used or rejected; kept when `frames` is dropped after the commit.
        var frameCount = 0

        /// What publishing needs once the batch is committed: the history rows, the frames and
        /// the states to undo are let go (a third of a batch's memory under a burst).
        func committed() -> Work {
            var kept = self
            kept.frameCount = frames.count
            kept.frames = []
            kept.before = [:]
            kept.batch.changes = []
            kept.batch.outbox = []
            kept.batch.checkpoints = []
            return kept
        }
    }

    /// Decodes `frames` and merges them into the state, adding to `work`.
    private func prepare(_ frames: [Frame], into work: inout Work) async throws {
        let decoders = feeds.decoders
        let decoded = frames.map { ($0, decode($0, decoders: decoders)) }
        try await restoreUnknownFlights(in: decoded)
        for (frame, outcome) in decoded { handle(frame, outcome, into: &work) }
    }

    /// Puts the touched flights back as they were before `work`.
    private func undo(_ work: Work) {
        engine.withLock { engine in
            for (id, state) in work.before { engine.restore(id, to: state) }
        }
    }

    /// Commits a prepared batch and hands it to the publishing stage.
    private func commit(_ work: Work, publishing: PublishStage) async throws -> CommitOutcome {
        do {
            let started = monotonicNanoseconds()
            let result = try await writer.commit(work.batch, whileWaiting: progress.heartbeat)
            metrics.commitSeconds.recordNanoseconds(Int64(monotonicNanoseconds() - started))
            metrics.batchFrames.record(work.frames.count)
            publishing.submit(work.committed(), outboxIDs: result.outboxIDs)
            return .committed
        } catch let error as PostgresError {
            return .refused(work, error)
        }
    }

    /// After a refused batch: frame by frame, so the one bad frame is found and rejected while
    /// the others commit. Nothing else is in flight meanwhile.
    private func commitOneByOne(_ frames: [Frame], after error: PostgresError, publishing: PublishStage) async throws {
        if frames.count > 1 {
            logger.warning("batch refused by PostgreSQL; retrying frame by frame", metadata: ["error": "\(error)"])
        }
        for frame in frames {
            var work = Work()
            try await prepare([frame], into: &work)
            finish(&work)
            if case .refused(let single, let error) = try await commit(work, publishing: publishing) {
                undo(single)
                await publishing.drain()
                renderedSeq.withLock { $0.removeAll() }
                var rejection = Work()
                reject(frame, reason: "refused by PostgreSQL: \(error.message)", into: &rejection)
                finish(&rejection)
                let result = try await writer.commit(rejection.batch, whileWaiting: progress.heartbeat)
                publishing.submit(rejection.committed(), outboxIDs: result.outboxIDs)
            }
        }
    }

    /// A frame's updates, or why it is rejected.
    private func decode(_ frame: Frame, decoders: [String: any FrameDecoder]) -> Result<[FlightUpdate], DecodeError> {
        if let framingError = frame.framingError { return .failure(DecodeError(framingError)) }
        guard let decoder = decoders[frame.feed] else { return .failure(DecodeError("no decoder for feed \(frame.feed)")) }
        do {
            let context = FrameContext(
                feed: frame.feed, position: frame.position.description,
                receivedAt: Timestamp(millisecondsSinceEpoch: frame.receivedAtMilliseconds))
            return .success(try decoder.decode(frame.bytes, context: context))
        } catch {
            return .failure(error)
        }
    }

    /// Flights the engine does not hold but the database does (forgotten by housekeeping, or
    /// ended before a restart) are loaded first, so their `seq` and merge rules continue. A
    /// flight in neither is new: no query.
    private func restoreUnknownFlights(in decoded: [(Frame, Result<[FlightUpdate], DecodeError>)]) async throws {
        var unknown: Set<String> = []
        engine.withLock { engine in
            for case (_, .success(let updates)) in decoded {
                for update in updates where engine.state(for: update.key.flightID) == nil {
                    unknown.insert(update.key.flightID)
                }
            }
        }
        guard !unknown.isEmpty else { return }
        let stored = storedOnly.withLock { storedOnly in unknown.filter { storedOnly.contains($0) } }
        guard !stored.isEmpty else { return }
        let (restored, _) = try await StoredFlights.load(
            from: writer, where: "flight_id = ANY($1::text[])", [PostgresArray.text(Array(stored))])
        engine.withLock { engine in for (state, _) in restored { engine.load(state) } }
        storedOnly.withLock { storedOnly in for id in stored { storedOnly.remove(id) } }
        logger.debug("flights restored from the database", metadata: ["flights": "\(restored.count)"])
    }

    private func handle(_ frame: Frame, _ outcome: Result<[FlightUpdate], DecodeError>, into work: inout Work) {
        work.oldestReceipt = min(work.oldestReceipt, frame.receivedAtMilliseconds)
        let receivedAt = Timestamp(millisecondsSinceEpoch: frame.receivedAtMilliseconds)
        let updates: [FlightUpdate]
        switch outcome {
        case .success(let decoded): updates = decoded
        case .failure(let error):
            reject(frame, reason: error.description, into: &work)
            return
        }
        engine.withLock { engine in
            for update in updates {
                let id = update.key.flightID
                if work.before[id] == nil { work.before[id] = .some(engine.state(for: id)) }
                guard let applied = engine.apply(update, receivedAt: receivedAt) else { continue }
                work.updates += 1
                if work.after[id] == nil {
                    work.touched.append(id)
                    work.firstReceipt[id] = frame.receivedAtNanoseconds
                }
                work.after[id] = applied.state
                record(applied, update: update, receivedAt: receivedAt, frame: frame, into: &work)
            }
        }
        note(frame, rejected: false, into: &work)
    }

    private func record(
        _ applied: StateEngine.AppliedUpdate, update: FlightUpdate, receivedAt: Timestamp, frame: Frame, into work: inout Work
    ) {
        let state = applied.state
        let received = receivedAt.iso8601
        let sourceTime = update.sourceTime?.iso8601
        for change in applied.changes {
            work.batch.changes.append(CommitBatch.ChangeRow(
                flightID: state.key.flightID, seq: state.seq, field: change.field.name, oldJSON: change.old?.json,
                newJSON: change.new?.json, feed: change.feed, sourceTime: sourceTime, receivedAt: received))
        }
        for event in applied.events {
            let payload = EventPayload.encode(
                event, state: state, feed: update.feed, position: update.position, observedAt: receivedAt,
                context: settings.context)
            let topic = "\(settings.topicRoot)/events/\(event.kind.rawValue)"
            work.batch.outbox.append(CommitBatch.OutboxRow(
                eventID: event.eventID, flightID: event.flightID, topic: topic, payload: payload))
            work.events.append((event, OutgoingMessage(
                topic: topic, payload: payload, qos: 1, retain: false, eventID: event.eventID, schema: EventPayload.schema,
                receivedAtNanoseconds: frame.receivedAtNanoseconds)))
        }
    }

    private func reject(_ frame: Frame, reason: String, into work: inout Work) {
        work.batch.rejected.append(CommitBatch.RejectedRow(
            feed: frame.feed, position: frame.position.description,
            receivedAt: Timestamp(millisecondsSinceEpoch: frame.receivedAtMilliseconds).iso8601,
            error: String(reason.unicodeScalars.filter { $0.value != 0 }.map(Character.init).prefix(2000)),
            raw: frame.bytes))
        work.rejectedByFeed[frame.feed, default: 0] += 1
        logger.warning(
            "frame rejected", metadata: ["feed": "\(frame.feed)", "position": "\(frame.position)", "reason": "\(reason.prefix(300))"])
        note(frame, rejected: true, into: &work)
    }

    /// Checkpoints and spool-file bookkeeping for a frame that was used or rejected.
    private func note(_ frame: Frame, rejected: Bool, into work: inout Work) {
        work.frames.append(frame)
        var checkpoint = CommitBatch.CheckpointRow(feed: frame.feed)
        switch frame.position {
        case .file(let name, let offset):
            checkpoint.fileName = name
            checkpoint.offset = offset
        case .stream(_, let connection, let offset):
            checkpoint.sequence = Int64(connection)
            checkpoint.offset = offset
        case .tail(let name, let inode, _, let end):
            // Where reading resumes after a restart, committed with the frame's effects.
            checkpoint.fileName = name
            checkpoint.fileInode = Int64(bitPattern: inode)
            checkpoint.offset = end
        }
        if let completion = frame.fileCompletion { work.fileFrames.append((completion, rejected)) }
        if let index = work.batch.checkpoints.firstIndex(where: { $0.feed == frame.feed }) {
            let recent = work.batch.checkpoints[index].recentFiles
            work.batch.checkpoints[index] = checkpoint
            work.batch.checkpoints[index].recentFiles = recent
        } else {
            work.batch.checkpoints.append(checkpoint)
        }
        if let completion = frame.fileCompletion, completion.isLast,
            let index = work.batch.checkpoints.firstIndex(where: { $0.feed == frame.feed })
        {
            work.batch.checkpoints[index].recentFiles.append(completion.name)
        }
    }

    /// Renders each touched flight's state row once; the same bytes are published. `prev_seq`
    /// is the seq the flight was last rendered at: by the batch in flight, else on the board.
    private func finish(_ work: inout Work) {
        let inFlight = renderedSeq.withLock { $0 }
        board.withLock { board in
            for id in work.touched {
                guard let state = work.after[id] else { continue }
                let previous = inFlight[id] ?? board.publishedSeq(of: id)
                work.renderedSeqs.append((id, state.seq))
                let payload = FlightPayload.encode(state, previousSeq: previous, context: settings.context)
                work.batch.flights.append(CommitBatch.FlightRow(
                    flightID: id, airline: state.key.airline, number: state.key.number, suffix: state.key.suffix,
                    date: state.key.date.description, direction: state.key.direction.letter,
                    stateJSON: payload, provenanceJSON: state.provenanceBytes,
                    seq: state.seq, firstSeenAt: state.firstSeen.iso8601, updatedAt: state.updatedAt.iso8601,
                    endsAt: state.endsAt?.iso8601))
            }
        }
        renderedSeq.withLock { rendered in
            for (id, seq) in work.renderedSeqs { rendered[id] = seq }
        }
    }

    /// After the commit: files move, events and state go to the publisher.
    private func published(_ work: Work, outboxIDs: [Int64?]) async {
        // A spool file is done once its last frame is committed: moved to done/, or to
        // rejected/ when not one of its frames could be used.
        for (completion, rejected) in work.fileFrames {
            let finished = spoolFiles.withLock { files -> (done: Bool, rejectedAll: Bool) in
                var stats = files[completion.name] ?? (0, 0)
                stats.frames += 1
                if rejected { stats.rejected += 1 }
                guard completion.isLast else {
                    files[completion.name] = stats
                    return (false, false)
                }
                files.removeValue(forKey: completion.name)
                return (true, stats.rejected == stats.frames)
            }
            if finished.done { completion.complete(finished.rejectedAll) }
        }
        for (feed, count) in work.rejectedByFeed {
            let counters = feeds.counters(of: feed)
            for _ in 0..<count { counters?.frameRejected() }
        }
        var events: [OutgoingMessage] = []
        for (index, item) in work.events.enumerated() {
            // nil: the event was committed before (a replay after a crash) and is already in
            // the outbox; the publisher's backlog reader sends it if it is still unpublished.
            guard index < outboxIDs.count, let id = outboxIDs[index] else { continue }
            var message = item.message
            message.outboxID = id
            events.append(message)
        }
        let now = Timestamp.now
        defer {
            // On the board now: forget what this batch rendered unless a later batch did again.
            renderedSeq.withLock { rendered in
                for (id, seq) in work.renderedSeqs where rendered[id] == seq { rendered.removeValue(forKey: id) }
            }
        }
        var stateMessages = board.withLock { board in
            board.update(
                work.batch.flights.compactMap { row in
                    work.after[row.flightID].map { ($0, row.stateJSON) }
                }, now: now)
        }
        // A flight's retained state is the last message its frames cause: latency ends there.
        let flightTopics = "\(settings.topicRoot)/flights/"
        for index in stateMessages.indices where stateMessages[index].topic.hasPrefix(flightTopics) {
            let id = String(stateMessages[index].topic.dropFirst(flightTopics.count))
            stateMessages[index].receivedAtNanoseconds = work.firstReceipt[id] ?? 0
        }
        let lag = work.oldestReceipt == Int64.max ? 0 : now.millisecondsSinceEpoch - work.oldestReceipt
        progress.committed(frames: work.frameCount, updates: work.updates, events: events.count, rejected: work.batch.rejected.count, lagMilliseconds: lag)
        // Awaited, not spawned: the publisher must see batches in commit order.
        await publisher.enqueueEvents(events)
        await publisher.enqueueState(stateMessages)
        freeMemory.trimIfDue()
    }

    /// A reload changed the feeds: their precedence from the next batch on.
    func setPrecedence(_ precedence: [String: Int]) {
        engine.withLock { $0.precedence = precedence }
    }

    /// Waits until every frame the queue accepted so far is committed (or rejected): after a
    /// reload stopped a feed, its checkpoint then says where it really stopped.
    func waitUntilCommitted(acceptedThrough count: Int64) async {
        while progress.committedFrames < count && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Clears flights that ended long ago from the retained topics, and forgets them in memory
    /// once they have also been silent that long: a late update to a cleared flight still
    /// continues its `seq` (and puts it back on the board).
    func housekeep(retainHours: Int) async {
        let now = Timestamp.now
        let horizon = now.millisecondsSinceEpoch - Int64(retainHours) * 3_600_000
        let messages = board.withLock { board -> [OutgoingMessage] in
            let expired = board.expired(now: now, retainHours: retainHours)
            guard !expired.isEmpty else { return [] }
            logger.info("housekeeping: clearing flights that ended", metadata: ["flights": "\(expired.count)"])
            return board.remove(expired, now: now)
        }
        engine.withLock { engine in
            let forgotten = engine.allStates.filter { state in
                guard state.updatedAt.millisecondsSinceEpoch < horizon else { return false }
                return (state.endsAt?.millisecondsSinceEpoch ?? Int64.max) < horizon
                    || (state.scheduled?.millisecondsSinceEpoch ?? Int64.max) < now.millisecondsSinceEpoch - 48 * 3_600_000
            }.map(\.key.flightID)
            for id in forgotten { engine.remove(id) }
            storedOnly.withLock { storedOnly in storedOnly.formUnion(forgotten) }
        }
        if !messages.isEmpty { await publisher.enqueueState(messages) }
    }
}

/// Whether the commit in flight has ended, shared by the pipeline's two stages.
private final class CommitFlag: Sendable {
    private let value = Atomic<Bool>(true)
    var ended: Bool {
        get { value.load(ordering: .acquiring) }
        set { value.store(newValue, ordering: .releasing) }
    }
}
