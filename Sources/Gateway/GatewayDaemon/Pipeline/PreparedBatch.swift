import FeedIngest
import FlightModel
import HistoryStore
import JSON
import Publisher

/// Everything one batch produces before its commit: the rows the store writes, the messages
/// the publisher sends after it, what the spool and the counters need, and how to undo the
/// batch in memory should PostgreSQL refuse it. Built by ``BatchBuilder``.
struct PreparedBatch: Sendable {
    /// The frames, used or rejected, in order: a refused batch is committed again from them.
    var frames: [Frame] = []
    var rows = CommitBatch()
    /// The change rows' values as JSON, back to back; ``BatchBuilder/finish(_:)`` hands them to
    /// `rows.valueJSON`, where each row's ranges point.
    var valueJSON = JSONWriter(capacity: 4096)
    /// Each touched flight's state before the batch (nil: new), to undo a refused commit.
    var before: [HashedFlightID: FlightState?] = [:]
    /// The flights the batch changed, in first-touch order.
    var touched: [HashedFlightID] = []
    /// Each touched flight's state after the batch; filled by ``BatchBuilder/finish(_:)``.
    var after: [HashedFlightID: FlightState] = [:]
    /// The flight of each of `rows.flights`, hashed: publishing finds its state in `after`
    /// without hashing the id's text again.
    var flightRowIDs: [HashedFlightID] = []
    /// The events' messages, in the order of `rows.outbox`.
    var events: [OutgoingMessage] = []
    /// Spool-file frames, used or rejected, for the bookkeeping after the commit.
    var fileFrames: [(completion: FileCompletion, rejected: Bool)] = []
    /// Why each rejected frame was rejected, for the log.
    var rejections: [(feed: String, position: String, reason: String)] = []
    var updates = 0
    var rejectedByFeed: [String: Int] = [:]
    var oldestReceipt = Int64.max
    /// Monotonic receipt of the first frame that touched each flight, for latency.
    var firstReceipt: [HashedFlightID: UInt64] = [:]
    /// The `seq` each rendered flight had been rendered at before this batch (nil: never), to
    /// undo the rendering too.
    var renderedBefore: [HashedFlightID: Int64?] = [:]
    /// Frames used or rejected; kept when `frames` is dropped after the commit.
    var frameCount = 0
    /// When the batch passed each stage, for the slow-update trace.
    var stages = PipelineStages()

    /// What publishing needs once the batch is committed: the history rows, the frames and
    /// the states to undo are let go (a third of a batch's memory under a burst).
    func committed() -> PreparedBatch {
        var kept = self
        kept.frameCount = frames.count
        kept.frames = []
        kept.before = [:]
        kept.renderedBefore = [:]
        kept.rows.changes = []
        kept.rows.valueJSON = []
        kept.valueJSON = JSONWriter(capacity: 0)
        kept.rows.outbox = []
        kept.rows.checkpoints = []
        return kept
    }
}

extension PreparedBatch {
    /// Writes a change row's value and returns where it is in ``valueJSON``.
    mutating func writeValueJSON(_ value: FieldValue) -> Range<Int> {
        let start = valueJSON.byteCount
        value.write(to: &valueJSON)
        return start..<valueJSON.byteCount
    }
}
