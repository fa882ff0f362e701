/// Everything one batch writes, in one transaction (DESIGN.md §1): the flights' new state,
/// their field changes, the events for the outbox, the frames that were rejected and how far
/// each feed got. Rows are already encoded (JSON text, times as ISO 8601 text or milliseconds
/// since 1970), so the store knows PostgreSQL and nothing of flights.
public struct CommitBatch: Sendable {
    public var flights: [FlightRow] = []
    public var changes: [ChangeRow] = []
    /// The JSON of the change rows' old and new values, back to back; each row names its two
    /// by their ranges here: one buffer per batch, not a `String` per value.
    public var valueJSON: [UInt8] = []
    public var outbox: [OutboxRow] = []
    public var rejected: [RejectedRow] = []
    public var checkpoints: [CheckpointRow] = []

    public init() {}

    /// Adds a change row whose values are given as JSON text (tools, tests, benchmarks; the
    /// pipeline writes its values into ``valueJSON`` itself).
    public mutating func appendChange(
        flightID: String, seq: Int64, field: String, oldJSON: String?, newJSON: String?, feed: String,
        sourceTime: Int64?, receivedAt: Int64
    ) {
        func range(_ json: String?) -> Range<Int>? {
            guard let json else { return nil }
            let start = valueJSON.count
            valueJSON.append(contentsOf: json.utf8)
            return start..<valueJSON.count
        }
        changes.append(ChangeRow(
            flightID: flightID, seq: seq, field: field, oldJSON: range(oldJSON), newJSON: range(newJSON), feed: feed,
            sourceTime: sourceTime, receivedAt: receivedAt))
    }

    /// The JSON of a change row's old or new value.
    public func valueJSON(_ range: Range<Int>?) -> ArraySlice<UInt8>? {
        range.map { valueJSON[$0] }
    }

    public var isEmpty: Bool {
        flights.isEmpty && changes.isEmpty && outbox.isEmpty && rejected.isEmpty && checkpoints.isEmpty
    }

    /// The current state of one flight (upserted; an older `seq` never overwrites a newer one).
    public struct FlightRow: Sendable {
        public var flightID: String
        public var airline: String
        public var number: String
        public var suffix: String?
        public var date: String
        public var direction: String
        /// The state payload as published (UTF-8 JSON), stored as `jsonb`.
        public var stateJSON: [UInt8]
        /// UTF-8 JSON, stored as text.
        public var provenanceJSON: [UInt8]
        public var seq: Int64
        /// Milliseconds since 1970 (UTC), as `Timestamp` counts them: sent to PostgreSQL in
        /// binary, with no text to format or parse.
        public var firstSeenAt: Int64
        public var updatedAt: Int64
        public var endsAt: Int64?

        public init(
            flightID: String, airline: String, number: String, suffix: String?, date: String, direction: String,
            stateJSON: [UInt8], provenanceJSON: [UInt8], seq: Int64, firstSeenAt: Int64, updatedAt: Int64,
            endsAt: Int64?
        ) {
            self.flightID = flightID
            self.airline = airline
            self.number = number
            self.suffix = suffix
            self.date = date
            self.direction = direction
            self.stateJSON = stateJSON
            self.provenanceJSON = provenanceJSON
            self.seq = seq
            self.firstSeenAt = firstSeenAt
            self.updatedAt = updatedAt
            self.endsAt = endsAt
        }
    }

    /// One changed field (`flight_changes`).
    public struct ChangeRow: Sendable {
        public var flightID: String
        public var seq: Int64
        public var field: String
        /// The old and the new value's JSON, ranges of the batch's ``CommitBatch/valueJSON``;
        /// nil when the field was unknown (old) or is cleared (new).
        public var oldJSON: Range<Int>?
        public var newJSON: Range<Int>?
        public var feed: String
        /// Milliseconds since 1970 (UTC), sent in binary.
        public var sourceTime: Int64?
        public var receivedAt: Int64

        public init(
            flightID: String, seq: Int64, field: String, oldJSON: Range<Int>?, newJSON: Range<Int>?, feed: String,
            sourceTime: Int64?, receivedAt: Int64
        ) {
            self.flightID = flightID
            self.seq = seq
            self.field = field
            self.oldJSON = oldJSON
            self.newJSON = newJSON
            self.feed = feed
            self.sourceTime = sourceTime
            self.receivedAt = receivedAt
        }
    }

    /// One message waiting for the broker's PUBACK.
    public struct OutboxRow: Sendable {
        public var eventID: String?
        public var flightID: String?
        public var topic: String
        /// The event payload as published (UTF-8 JSON).
        public var payload: [UInt8]
        public var qos: Int
        public var retain: Bool

        public init(eventID: String?, flightID: String?, topic: String, payload: [UInt8], qos: Int = 1, retain: Bool = false) {
            self.eventID = eventID
            self.flightID = flightID
            self.topic = topic
            self.payload = payload
            self.qos = qos
            self.retain = retain
        }
    }

    /// A frame that could not be used, kept with its bytes.
    public struct RejectedRow: Sendable {
        public var feed: String
        public var position: String
        public var receivedAt: String
        public var error: String
        public var raw: [UInt8]

        public init(feed: String, position: String, receivedAt: String, error: String, raw: [UInt8]) {
            self.feed = feed
            self.position = position
            self.receivedAt = receivedAt
            self.error = error
            self.raw = raw
        }
    }

    /// How far a feed got: committed with the batch, so a restart resumes there.
    public struct CheckpointRow: Sendable {
        public var feed: String
        public var fileName: String?
        public var fileInode: Int64?
        public var offset: Int64
        public var sequence: Int64?
        /// spool-dir: the files this batch finished.
        public var recentFiles: [String]

        public init(
            feed: String, fileName: String? = nil, fileInode: Int64? = nil, offset: Int64 = 0, sequence: Int64? = nil,
            recentFiles: [String] = []
        ) {
            self.feed = feed
            self.fileName = fileName
            self.fileInode = fileInode
            self.offset = offset
            self.sequence = sequence
            self.recentFiles = recentFiles
        }
    }
}
