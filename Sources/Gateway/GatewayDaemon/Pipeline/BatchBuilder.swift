import FeedFormats
import FeedIngest
import FlightModel
import HistoryStore
import JSON
import Publisher

/// Builds batches, purely: decodes each frame with its feed's decoder, merges the updates into
/// the flights' state, and renders the rows the commit writes and the messages the publisher
/// sends after it, keeping what it takes to undo a batch PostgreSQL refused. No I/O, no clock:
/// frames in, rows and messages out.
struct BatchBuilder: Sendable {
    struct Settings: Sendable {
        var context: PayloadContext
        /// `{prefix}/{IATA}`.
        var topicRoot: String
    }

    private(set) var engine: StateEngine
    let settings: Settings
    /// The `seq` each flight on the board was last rendered at, by a committed batch or the one
    /// in flight: the next payload's `prev_seq`.
    private var renderedSeq: [HashedFlightID: Int64]
    private var eventTopics: [EventKind: String] = [:]

    /// - Parameter rendered: the flights as the board holds them at start, with their `seq`.
    init(engine: StateEngine, settings: Settings, rendered: [String: Int64] = [:]) {
        self.engine = engine
        self.settings = settings
        self.renderedSeq = Dictionary(uniqueKeysWithValues: rendered.map { (HashedFlightID($0.key), $0.value) })
    }

    /// The flights `decoded` names that the engine does not hold.
    func unknownFlights(in decoded: [Result<[FlightUpdate], DecodeError>]) -> Set<String> {
        var unknown: Set<String> = []
        for case .success(let updates) in decoded {
            // By the key's hash, made once at decode: a lookup by the id's text hashed every
            // update's id again (~2 % of the daemon's CPU on the benchmark's day).
            for update in updates where !engine.knows(update.key) {
                unknown.insert(update.key.flightID)
            }
        }
        return unknown
    }

    /// Flights read back from the store, so their `seq` and merge rules continue.
    mutating func load(_ states: [FlightState]) {
        for state in states { engine.load(state) }
    }

    /// A reload changed the feeds: their precedence from the next frame on.
    mutating func setPrecedence(_ precedence: [String: Int]) {
        engine.precedence = precedence
    }

    /// Merges decoded frames in order (`outcomes[i]` is `frames[i]`'s) and adds their rows and
    /// events to `batch`; frames that did not decode are rejected.
    mutating func add(
        _ frames: [Frame], _ outcomes: [Result<[FlightUpdate], DecodeError>], to batch: inout PreparedBatch
    ) {
        // Through the buffers: an element read out of the arrays was copied first (a frame's
        // strings and bytes, an outcome's updates retained and released again).
        frames.withUnsafeBufferPointer { frames in
            outcomes.withUnsafeBufferPointer { outcomes in
                for index in frames.indices { merge(frames[index], outcomes[index], into: &batch) }
            }
        }
        // The array itself when the batch has none yet: a copy per frame retained all it holds.
        if batch.frames.isEmpty { batch.frames = frames } else { batch.frames.append(contentsOf: frames) }
    }

    /// Merges one decoded frame into the state and adds its rows and events to `batch`; a
    /// frame that did not decode is rejected.
    mutating func add(_ frame: Frame, _ outcome: Result<[FlightUpdate], DecodeError>, to batch: inout PreparedBatch) {
        merge(frame, outcome, into: &batch)
        batch.frames.append(frame)
    }

    private mutating func merge(
        _ frame: Frame, _ outcome: Result<[FlightUpdate], DecodeError>, into batch: inout PreparedBatch
    ) {
        guard case .success(let decoded) = outcome else {
            if case .failure(let error) = outcome { keepRejected(frame, reason: error.description, in: &batch) }
            return
        }
        decoded.withUnsafeBufferPointer { updates in merge(frame, updates, into: &batch) }
    }

    private mutating func merge(_ frame: Frame, _ updates: UnsafeBufferPointer<FlightUpdate>, into batch: inout PreparedBatch) {
        batch.oldestReceipt = min(batch.oldestReceipt, frame.receivedAtMilliseconds)
        let receivedAt = Timestamp(millisecondsSinceEpoch: frame.receivedAtMilliseconds)
        // An event's `position`, written once for a frame that makes events (~800 instructions
        // a frame when every frame wrote it; three in four make none).
        var position: String?
        for index in updates.indices {
            let update = updates[index]
            let id = update.key.hashedID
            // By index, not by value: reading a `FlightState?` out copies the whole state.
            if batch.before.index(forKey: id) == nil { batch.before[id] = .some(engine.state(for: id)) }
            guard let applied = engine.applyChanges(update, receivedAt: receivedAt) else { continue }
            batch.updates += 1
            // The state after is taken once, by `finish`: a copy kept per update made the
            // engine copy the flight's slots on its next update.
            if batch.firstReceipt.index(forKey: id) == nil {
                batch.touched.append(id)
                batch.firstReceipt[id] = frame.receivedAtNanoseconds
            }
            record(applied, update: update, receivedAt: receivedAt, frame: frame, position: &position, into: &batch)
        }
        note(frame, rejected: false, into: &batch)
    }

    /// Keeps `frame` in `rejected_frames` with `reason` (NUL bytes dropped, at most 2,000
    /// characters), and nothing else of it.
    mutating func reject(_ frame: Frame, reason: String, to batch: inout PreparedBatch) {
        keepRejected(frame, reason: reason, in: &batch)
        batch.frames.append(frame)
    }

    private mutating func keepRejected(_ frame: Frame, reason: String, in batch: inout PreparedBatch) {
        batch.oldestReceipt = min(batch.oldestReceipt, frame.receivedAtMilliseconds)
        let position = frame.position.description
        batch.rows.rejected.append(CommitBatch.RejectedRow(
            feed: frame.feed, position: position,
            receivedAt: Timestamp(millisecondsSinceEpoch: frame.receivedAtMilliseconds).iso8601,
            error: String(reason.unicodeScalars.filter { $0.value != 0 }.map(Character.init).prefix(2000)),
            raw: frame.bytes))
        batch.rejectedByFeed[frame.feed, default: 0] += 1
        batch.rejections.append((frame.feed, position, reason))
        note(frame, rejected: true, into: &batch)
    }

    /// Renders each touched flight's state row once; the same bytes are published.
    mutating func finish(_ batch: inout PreparedBatch) {
        batch.rows.valueJSON = batch.valueJSON.bytes
        batch.after.reserveCapacity(batch.touched.count)
        batch.rows.flights.reserveCapacity(batch.rows.flights.count + batch.touched.count)
        for id in batch.touched {
            // Nothing merges between the batch's last `add` and this: the engine's state is
            // the state after the batch.
            guard let state = engine.state(for: id) else { continue }
            batch.after[id] = state
            let previous = renderedSeq[id]
            if batch.renderedBefore.index(forKey: id) == nil { batch.renderedBefore[id] = previous }
            renderedSeq[id] = state.seq
            let payload = FlightPayload.encode(state, previousSeq: previous ?? 0, context: settings.context)
            batch.flightRowIDs.append(id)
            batch.rows.flights.append(CommitBatch.FlightRow(
                flightID: id.text, airline: state.key.airline, number: state.key.number, suffix: state.key.suffix,
                date: state.key.date.description, direction: state.key.direction.letter,
                stateJSON: payload, provenanceJSON: state.provenanceBytes,
                seq: state.seq, firstSeenAt: state.firstSeen.millisecondsSinceEpoch,
                updatedAt: state.updatedAt.millisecondsSinceEpoch, endsAt: state.endsAt?.millisecondsSinceEpoch))
        }
    }

    /// Puts the touched flights, and their rendered `seq`, back as they were before `batch`.
    /// Batches are undone newest first.
    mutating func undo(_ batch: PreparedBatch) {
        for (id, state) in batch.before { engine.restore(id, to: state) }
        for (id, seq) in batch.renderedBefore { renderedSeq[id] = seq }
    }

    /// Housekeeping cleared these flights from the board: their next payload starts afresh.
    mutating func cleared(_ flightIDs: [String]) {
        for id in flightIDs { renderedSeq.removeValue(forKey: HashedFlightID(id)) }
    }

    /// Housekeeping forgets these flights in memory (the store still has them).
    mutating func forget(_ flightIDs: [String]) {
        for id in flightIDs { engine.remove(id) }
    }

    // MARK: - Rows

    private mutating func record(
        _ applied: AppliedChanges, update: FlightUpdate, receivedAt: Timestamp, frame: Frame,
        position: inout String?, into batch: inout PreparedBatch
    ) {
        let received = receivedAt.millisecondsSinceEpoch
        let sourceTime = update.sourceTime?.millisecondsSinceEpoch
        for change in applied.changes {
            let old = change.old.map { batch.writeValueJSON($0) }
            let new = change.new.map { batch.writeValueJSON($0) }
            batch.rows.changes.append(CommitBatch.ChangeRow(
                flightID: update.key.flightID, seq: applied.seq, field: change.field.name, oldJSON: old,
                newJSON: new, feed: change.feed, sourceTime: sourceTime, receivedAt: received))
        }
        // The flight after the update, for its events' payloads: read from the engine only for
        // an update that made events (one in four).
        guard !applied.events.isEmpty, let state = engine.state(for: update.key.hashedID) else { return }
        for event in applied.events {
            if position == nil { position = frame.position.description }
            let payload = EventPayload.encode(
                event, state: state, feed: update.feed, position: position!, observedAt: receivedAt,
                context: settings.context)
            let topic = eventTopic(event.kind)
            batch.rows.outbox.append(CommitBatch.OutboxRow(
                eventID: event.eventID, flightID: event.flightID, topic: topic, payload: payload))
            batch.events.append(OutgoingMessage(
                topic: topic, payload: payload, qos: 1, retain: false, eventID: event.eventID, schema: EventPayload.schema,
                receivedAtNanoseconds: frame.receivedAtNanoseconds))
        }
    }

    /// `{root}/events/{kind}`, made once per kind.
    private mutating func eventTopic(_ kind: EventKind) -> String {
        if let topic = eventTopics[kind] { return topic }
        let topic = "\(settings.topicRoot)/events/\(kind.rawValue)"
        eventTopics[kind] = topic
        return topic
    }

    /// Checkpoints and spool-file bookkeeping for a frame that was used or rejected (the
    /// caller keeps the frame itself in `batch.frames`).
    private func note(_ frame: Frame, rejected: Bool, into batch: inout PreparedBatch) {
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
        case .poll(let at, let tag, let offset):
            // The last committed response: its tag and poll time (nothing resumes from it).
            checkpoint.fileName = tag
            checkpoint.sequence = at
            checkpoint.offset = offset
        }
        if let completion = frame.fileCompletion { batch.fileFrames.append((completion, rejected)) }
        // The feed's row is updated in place, field by field, and found by index: a copy of the
        // array held here made every frame's write copy the array, and `firstIndex(where:)`
        // plus replacing the row whole copied and destroyed rows (~450 instructions a frame).
        // Its `recentFiles` stay where they are.
        var index = 0
        while index < batch.rows.checkpoints.count, batch.rows.checkpoints[index].feed != frame.feed { index += 1 }
        if index < batch.rows.checkpoints.count {
            batch.rows.checkpoints[index].fileName = checkpoint.fileName
            batch.rows.checkpoints[index].fileInode = checkpoint.fileInode
            batch.rows.checkpoints[index].offset = checkpoint.offset
            batch.rows.checkpoints[index].sequence = checkpoint.sequence
        } else {
            batch.rows.checkpoints.append(checkpoint)
        }
        if let completion = frame.fileCompletion, completion.isLast {
            batch.rows.checkpoints[index].recentFiles.append(completion.name)
        }
    }
}
