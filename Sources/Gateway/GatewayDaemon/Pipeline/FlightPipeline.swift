import CoreMetrics
import FeedFormats
import FeedIngest
import FlightModel
import HistoryStore
import Logging
import Telemetry
import Publisher
import Synchronization
import Timing

/// The heart of the daemon (DESIGN.md §1): takes what the feeds queued, has ``BatchBuilder``
/// decode and merge it into a batch, commits the batch in one transaction, then hands the
/// committed events and state to the publisher.
///
/// Three stages overlap: while one batch's commit is in flight (PostgreSQL works on the other
/// core), the next batch is prepared from whatever arrives meanwhile, up to `maxBatch` frames,
/// and the batch before is published (``PublishStage``). Under light load each frame commits
/// at once (nothing waits for a batch to fill); under heavy load batches grow and the per-row
/// cost falls. At most one commit is in flight, and batches are committed and published in
/// order. A batch PostgreSQL refuses is undone and committed again frame by frame, so the one
/// bad frame lands in `rejected_frames` and the rest commit.
final class FlightPipeline: Sendable {
    struct Settings: Sendable {
        /// Frames per batch at most. Bigger batches cost PostgreSQL less per frame and coalesce
        /// more of a flight's updates into one state row and publish: with 10,000 flights,
        /// 2,000 → 4,000 frames took a burst from ~22,000 to ~28,000 updates/s for 20 MB more
        /// resident memory (138 MB); 6,000 reached 32,000 at 148 MB, too near the 150 MB budget
        /// (docs/PERFORMANCE.md).
        static let defaultMaxBatch = 4000
        var maxBatch = defaultMaxBatch
        /// Frame bytes per batch at most (issue 18: bounded by count alone, a batch of
        /// near-limit bad lines grew to gigabytes while the commit before it ran). Ordinary
        /// frames (~300 bytes) fill 4,000 long before 8 MB.
        static let defaultMaxBatchBytes = 8 << 20
        var maxBatchBytes = defaultMaxBatchBytes
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
    private let builder: Mutex<BatchBuilder>
    private let spool = Mutex(SpoolBookkeeping())
    /// Flights in the database but not in the engine (ended long ago, or forgotten by
    /// housekeeping): only these are looked up when an update names a flight the engine lacks.
    private let storedOnly: Mutex<Set<String>>
    private let freeMemory = FreeMemoryReturn()
    /// The airport boards, told of every commit (nil: no `[http]`).
    private let boards: BoardHub?
    /// Where the pipeline's own tasks run: one thread, so that frames arriving, merges and
    /// commits starting follow one another without waking another thread.
    private let thread: DaemonThread
    /// Where a commit's task runs: the writer's thread, so that the end of a commit is noted
    /// and handed on there at once, not when the pipeline's thread is next free (merging a full
    /// batch, it was the writer that waited: 0.81× the rate).
    private let commitExecutor: EventLoopTaskExecutor

    init(
        queue: IngestQueue<Frame>, writer: HistoryWriter, publisher: OutboxPublisher, engine: StateEngine,
        board: RetainedBoard, storedOnly: Set<String>, feeds: FeedRoster,
        settings: Settings, progress: PipelineProgress, metrics: GatewayMetrics, logger: Logger, boards: BoardHub? = nil,
        thread: DaemonThread
    ) {
        self.boards = boards
        self.thread = thread
        self.commitExecutor = EventLoopTaskExecutor(writer.eventLoop)
        self.metrics = metrics
        self.queue = queue
        self.writer = writer
        self.publisher = publisher
        let rendered = Dictionary(engine.allStates.map { ($0.key.flightID, board.publishedSeq(of: $0.key.flightID)) }) { a, _ in a }
        self.builder = Mutex(BatchBuilder(
            engine: engine, settings: BatchBuilder.Settings(context: settings.context, topicRoot: settings.topicRoot),
            rendered: rendered.filter { $0.value > 0 }))
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
        case refused(PreparedBatch, StoreError)
    }

    /// Runs until the queue is finished and drained, on the pipeline's thread.
    func run() async throws {
        try await withTaskExecutorPreference(thread.executor) { try await runStages() }
    }

    private func runStages() async throws {
        var inFlight: Task<CommitOutcome, any Error>?
        let commitEnded = CommitFlag()
        let publishing = PublishStage { [self] batch, outboxIDs in await published(batch, outboxIDs: outboxIDs) }
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
            let idle = queue.count == 0 && commitEnded.ended
            progress.setIdle(idle)
            if idle {
                let purge = freeMemory.returnIfDue()
                if SlowUpdateTrace.thresholdNanoseconds > 0 && purge > 1_000_000 {
                    logger.notice("allocator purge", metadata: ["us": "\(purge / 1000)", "mono_ns": "\(monotonicNanoseconds())"])
                }
            }
            let frames = await queue.takeFrames(maxItems: settings.maxBatch, maxBytes: settings.maxBatchBytes)
            progress.setIdle(false)
            if frames.isEmpty { break }
            var batch = PreparedBatch()
            batch.stages.taken = monotonicNanoseconds()
            var batchBytes = frames.reduce(0) { $0 + $1.bytes.count + 64 }
            try await prepare(frames, into: &batch)
            batch.stages.merged = monotonicNanoseconds()
            // While the previous commit runs, keep preparing what arrives; then commit it all.
            while !commitEnded.ended && batch.frames.count < settings.maxBatch && batchBytes < settings.maxBatchBytes {
                let more = queue.takeAvailableFrames(
                    maxItems: settings.maxBatch - batch.frames.count, maxBytes: settings.maxBatchBytes - batchBytes)
                if more.isEmpty {
                    await queue.waitForItemsOrWake()
                } else {
                    batchBytes += more.reduce(0) { $0 + $1.bytes.count + 64 }
                    try await prepare(more, into: &batch)
                }
            }
            // Rendered before the wait: `prev_seq` comes from the batch in flight, not its commit.
            builder.withLock { $0.finish(&batch) }
            if let previous = inFlight, case let outcome = try await previous.value, case .refused = outcome {
                // The batch in hand was merged on top of the refused one: undo both, newest
                // first, find the bad frame of the refused batch, then prepare this one again.
                builder.withLock { $0.undo(batch) }
                try await recover(from: outcome, publishing: publishing)
                let frames = batch.frames
                batch = PreparedBatch()
                try await prepare(frames, into: &batch)
                builder.withLock { $0.finish(&batch) }
            }
            batch.stages.prepared = monotonicNanoseconds()
            commitEnded.ended = false
            let prepared = batch
            inFlight = Task(executorPreference: commitExecutor) { [self] in
                defer {
                    commitEnded.ended = true
                    queue.wake()
                }
                return try await commit(prepared, publishing: publishing)
            }
        }
        if let previous = inFlight { try await recover(from: previous.value, publishing: publishing) }
        await publishing.drain()
    }

    /// After a commit, once nothing prepared sits on top of it: a refused batch is undone
    /// and committed again frame by frame.
    private func recover(from outcome: CommitOutcome, publishing: PublishStage) async throws {
        guard case .refused(let refused, let error) = outcome else { return }
        builder.withLock { $0.undo(refused) }
        await publishing.drain()
        try await commitOneByOne(refused.frames, after: error, publishing: publishing)
    }

    /// Decodes `frames` and merges them into the state, adding to `batch`.
    private func prepare(_ frames: consuming [Frame], into batch: inout PreparedBatch) async throws {
        let decoders = feeds.decoders
        var outcomes: [Result<[FlightUpdate], DecodeError>] = []
        outcomes.reserveCapacity(frames.count)
        // A batch's frames come from a few feeds: the decoder is looked up again only when the
        // feed changes (hashing the name per frame cost ~250 instructions, callgrind).
        var feed: (name: String, decoder: (any FrameDecoder)?)?
        frames.withUnsafeMutableBufferPointer { frames in
            // Through the buffer: an array element passed to `updates` was copied first.
            for index in frames.indices {
                // The updates live on in the state and the rows; the frame kept for a refused
                // batch (decoded again then) holds its bytes only, not a second copy of its facts.
                // Taken out, not read and then cleared: a read retained them once more.
                if let decoded = frames[index].decoded.take() {
                    outcomes.append(FrameDecoding.outcome(of: decoded))
                    continue
                }
                if feed?.name != frames[index].feed { feed = (frames[index].feed, decoders[frames[index].feed]) }
                outcomes.append(FrameDecoding.updates(of: frames[index], decoder: feed?.decoder))
            }
        }
        try await restoreUnknownFlights(in: outcomes)
        let logged = batch.rejections.count
        builder.withLock { builder in builder.add(frames, outcomes, to: &batch) }
        logRejections(batch.rejections[logged...])
    }

    /// Commits a prepared batch and hands it to the publishing stage.
    private func commit(_ batch: PreparedBatch, publishing: PublishStage) async throws -> CommitOutcome {
        do {
            let started = monotonicNanoseconds()
            let result = try await writer.commit(batch.rows, whileWaiting: progress.heartbeat)
            let ended = monotonicNanoseconds()
            metrics.commitSeconds.recordNanoseconds(Int64(ended - started))
            metrics.batchFrames.record(batch.frames.count)
            var committed = batch.committed().numbered(by: result)
            committed.stages.commitStarted = started
            committed.stages.writerStarted = result.startedAtNanoseconds
            committed.stages.committed = ended
            publishing.submit(committed, outboxIDs: result.outboxIDs)
            return .committed
        } catch let error as StoreError where error.code == .batchRefused {
            return .refused(batch, error)
        }
    }

    /// After a refused batch: frame by frame, so the one bad frame is found and rejected while
    /// the others commit. Nothing else is in flight meanwhile.
    private func commitOneByOne(_ frames: [Frame], after error: StoreError, publishing: PublishStage) async throws {
        if frames.count > 1 {
            logger.warning("batch refused by PostgreSQL; retrying frame by frame", metadata: ["error": "\(error)"])
        }
        for frame in frames {
            var single = PreparedBatch()
            try await prepare([frame], into: &single)
            builder.withLock { $0.finish(&single) }
            if case .refused(let refused, let error) = try await commit(single, publishing: publishing) {
                builder.withLock { $0.undo(refused) }
                await publishing.drain()
                var rejection = PreparedBatch()
                builder.withLock { $0.reject(frame, reason: "refused by PostgreSQL: \(error.reason)", to: &rejection) }
                logRejections(rejection.rejections[...])
                let result = try await writer.commit(rejection.rows, whileWaiting: progress.heartbeat)
                publishing.submit(rejection.committed(), outboxIDs: result.outboxIDs)
            }
        }
    }

    private func logRejections(_ rejections: ArraySlice<(feed: String, position: String, reason: String)>) {
        for rejection in rejections {
            logger.warning(
                "frame rejected",
                metadata: ["feed": "\(rejection.feed)", "position": "\(rejection.position)", "reason": "\(rejection.reason.prefix(300))"])
        }
    }

    /// Flights the engine does not hold but the database does (forgotten by housekeeping, or
    /// ended before a restart) are loaded first, so their `seq` and merge rules continue. A
    /// flight in neither is new: no query.
    private func restoreUnknownFlights(in decoded: [Result<[FlightUpdate], DecodeError>]) async throws {
        let unknown = builder.withLock { $0.unknownFlights(in: decoded) }
        guard !unknown.isEmpty else { return }
        let stored = storedOnly.withLock { storedOnly in unknown.filter { storedOnly.contains($0) } }
        guard !stored.isEmpty else { return }
        let restored = try await writer.flights(ids: stored).flights
        builder.withLock { $0.load(restored.map(\.state)) }
        storedOnly.withLock { storedOnly in for id in stored { storedOnly.remove(id) } }
        logger.debug("flights restored from the database", metadata: ["flights": "\(restored.count)"])
    }

    /// After the commit: files move, events and state go to the publisher.
    private func published(_ batch: PreparedBatch, outboxIDs: [Int64?]) async {
        let finished = spool.withLock { $0.committed(batch.fileFrames) }
        for (completion, rejectedAll) in finished { completion.complete(rejectedAll) }
        for (feed, count) in batch.rejectedByFeed {
            let counters = feeds.counters(of: feed)
            for _ in 0..<count { counters?.frameRejected() }
        }
        var events: [OutgoingMessage] = []
        for (index, message) in batch.events.enumerated() {
            // nil: the event was committed before (a replay after a crash) and is already in
            // the outbox; the publisher's backlog reader sends it if it is still unpublished.
            guard index < outboxIDs.count, let id = outboxIDs[index] else { continue }
            var message = message
            message.outboxID = id
            events.append(message)
        }
        let now = Timestamp.now
        // A flight's retained state is the last message its frames cause: latency ends there.
        var committed: [(state: FlightState, payload: [UInt8])] = []
        committed.reserveCapacity(batch.rows.flights.count)
        for (id, row) in zip(batch.flightRowIDs, batch.rows.flights) {
            if let state = batch.after[id] { committed.append((state, row.stateJSON)) }
        }
        var stateMessages = board.withLock { board in
            board.update(committed, now: now, receivedAt: batch.firstReceipt)
        }
        if SlowUpdateTrace.thresholdNanoseconds > 0 {
            var stages = batch.stages
            stages.handedOver = monotonicNanoseconds()
            for index in events.indices { events[index].stages = stages }
            for index in stateMessages.indices { stateMessages[index].stages = stages }
        }
        boards?.committed(touched: batch.touched, after: batch.after)
        let lag = batch.oldestReceipt == Int64.max ? 0 : now.millisecondsSinceEpoch - batch.oldestReceipt
        progress.committed(
            frames: batch.frameCount, updates: batch.updates, events: events.count, rejected: batch.rows.rejected.count,
            lagMilliseconds: lag)
        // Awaited, not spawned: the publisher must see batches in commit order.
        await publisher.enqueueEvents(events)
        await publisher.enqueueState(stateMessages)
        freeMemory.committed(frames: batch.frameCount)
    }

    /// A reload changed the feeds: their precedence from the next batch on.
    func setPrecedence(_ precedence: [String: Int]) {
        builder.withLock { $0.setPrecedence(precedence) }
    }

    /// Waits until every frame the queue accepted so far is committed (or rejected): after a
    /// reload stopped a feed, its checkpoint then says where it really stopped.
    func waitUntilCommitted(acceptedThrough count: Int64) async {
        await progress.waitUntilCommitted(frames: count)
    }

    /// Clears flights that ended long ago from the retained topics, and forgets them in memory
    /// once they have also been silent that long: a late update to a cleared flight still
    /// continues its `seq` (and puts it back on the board).
    func housekeep(retainHours: Int) async {
        let housekeeping = Housekeeping(retainHours: retainHours)
        let sweep = board.withLock { board in
            builder.withLock { builder in housekeeping.sweep(board: &board, builder: &builder, now: .now) }
        }
        if !sweep.cleared.isEmpty {
            logger.info("housekeeping: clearing flights that ended", metadata: ["flights": "\(sweep.cleared.count)"])
        }
        storedOnly.withLock { storedOnly in storedOnly.formUnion(sweep.forgotten) }
        boards?.removed(sweep.cleared)
        if !sweep.messages.isEmpty { await publisher.enqueueState(sweep.messages) }
    }
}

/// Whether the commit in flight has ended, shared by the pipeline's stages.
private final class CommitFlag: Sendable {
    private let value = Atomic<Bool>(true)
    var ended: Bool {
        get { value.load(ordering: .acquiring) }
        set { value.store(newValue, ordering: .releasing) }
    }
}
