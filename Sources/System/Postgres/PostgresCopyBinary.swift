/// Rows in the binary format of `COPY … FROM STDIN (FORMAT binary)` (PostgreSQL's documentation
/// of COPY, "Binary Format"): a signature, then per row its field count and per field its
/// length (−1 for NULL) and its binary form, then a trailer. No field is escaped or scanned
/// for delimiters on either side, and times go as numbers, not text to parse.
///
/// Each field must be in the binary form of its column's type, in the statement's column order.
public struct PostgresCopyBinary: Sendable {
    private var bytes: [UInt8] = []
    private var fieldsLeft = 0

    /// An empty buffer with room for about `capacity` bytes of rows.
    public init(capacity: Int = 0) {
        bytes.reserveCapacity(19 + capacity + 2)
        bytes.append(contentsOf: [0x50, 0x47, 0x43, 0x4F, 0x50, 0x59, 0x0A, 0xFF, 0x0D, 0x0A, 0x00])  // "PGCOPY\n\377\r\n\0"
        appendInt32(0)  // flags: no OIDs
        appendInt32(0)  // header extension: none
    }

    /// The rows and the trailer, ready for ``PostgresConnection/copyIn(_:data:)``: the buffer is
    /// handed over, not copied.
    public consuming func finish() -> [UInt8] {
        precondition(fieldsLeft == 0, "a row is missing \(fieldsLeft) fields")
        var data = bytes
        bytes = []
        data.append(0xFF)
        data.append(0xFF)
        return data
    }

    /// Starts a row of `fields` fields.
    public mutating func beginRow(fields: Int) {
        precondition(fieldsLeft == 0, "the row before is missing \(fieldsLeft) fields")
        withUnsafeBytes(of: Int16(fields).bigEndian) { bytes.append(contentsOf: $0) }
        fieldsLeft = fields
    }

    /// A NULL field.
    public mutating func appendNull() {
        field()
        appendInt32(-1)
    }

    /// A `text` field (UTF-8); nil is NULL.
    public mutating func append(_ text: String?) {
        guard var text else { return appendNull() }
        field()
        text.withUTF8 { utf8 in
            appendInt32(Int32(utf8.count))
            bytes.append(contentsOf: utf8)
        }
    }

    /// A `jsonb` field: the JSON text after the format's version byte; nil is NULL.
    public mutating func append(jsonb json: String?) {
        guard var json else { return appendNull() }
        json.withUTF8 { append(jsonb: $0) }
    }

    /// A `jsonb` field from UTF-8 JSON; nil is NULL.
    public mutating func append(jsonb json: UnsafeBufferPointer<UInt8>?) {
        guard let json else { return appendNull() }
        field()
        appendInt32(Int32(json.count + 1))
        bytes.append(1)
        bytes.append(contentsOf: json)
    }

    /// An `int8` field.
    public mutating func append(_ value: Int64) {
        field()
        appendInt32(8)
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// A `timestamptz` field from milliseconds since 1970 (UTC); nil is NULL.
    public mutating func append(millisecondsSinceEpoch value: Int64?) {
        guard let value else { return appendNull() }
        field()
        appendInt32(8)
        let microseconds = (value - PostgresBinaryArray.postgresEpochMilliseconds) * 1000
        withUnsafeBytes(of: microseconds.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Appends one row of `fields` fields, written by `write` through a ``Row`` with room for
    /// `maximumBytes` bytes (at most; ``Row/room(_:)`` says what a field takes). The same bytes
    /// as ``beginRow(fields:)`` and the appends, for a fraction of the cost: the room is made
    /// once and each field written through a pointer (an append per field cost ~250
    /// instructions, callgrind).
    public mutating func appendRow(fields: Int, maximumBytes: Int, _ write: (inout Row) -> Void) {
        precondition(fieldsLeft == 0, "the row before is missing \(fieldsLeft) fields")
        let start = bytes.count
        let room = 2 + maximumBytes
        bytes.append(contentsOf: repeatElement(0, count: room))
        let written = bytes.withUnsafeMutableBufferPointer { buffer -> Int in
            var row = Row(base: buffer.baseAddress! + start, capacity: room, fields: fields)
            write(&row)
            precondition(row.fieldsLeft == 0, "a row is missing \(row.fieldsLeft) fields")
            return row.count
        }
        bytes.removeLast(room - written)
    }

    /// One row's fields, written in place by ``appendRow(fields:maximumBytes:_:)``; the same
    /// forms as the appends of ``PostgresCopyBinary``. Use it only inside that call.
    public struct Row {
        private let base: UnsafeMutablePointer<UInt8>
        private let capacity: Int
        fileprivate private(set) var count = 0
        fileprivate private(set) var fieldsLeft: Int

        fileprivate init(base: UnsafeMutablePointer<UInt8>, capacity: Int, fields: Int) {
            self.base = base
            self.capacity = capacity
            self.fieldsLeft = fields
            put(UInt16(truncatingIfNeeded: fields))
        }

        /// The bytes a field of `valueBytes` bytes takes in the row (its length, then it).
        public static func room(_ valueBytes: Int) -> Int { 4 + valueBytes }

        /// A NULL field.
        public mutating func appendNull() {
            field(0)
            put(UInt32(bitPattern: -1))
        }

        /// A `text` field (UTF-8); nil is NULL.
        public mutating func append(_ text: String?) {
            guard let text else { return appendNull() }
            let done: Void? = text.utf8.withContiguousStorageIfAvailable { append(text: $0) }
            if done == nil { Array(text.utf8).withUnsafeBufferPointer { append(text: $0) } }
        }

        private mutating func append(text utf8: UnsafeBufferPointer<UInt8>) {
            field(utf8.count)
            put(UInt32(utf8.count))
            copy(utf8)
        }

        /// A `jsonb` field from UTF-8 JSON; nil is NULL.
        public mutating func append(jsonb json: UnsafeBufferPointer<UInt8>?) {
            guard let json else { return appendNull() }
            field(json.count + 1)
            put(UInt32(json.count + 1))
            base[count] = 1
            count += 1
            copy(json)
        }

        /// An `int8` field.
        public mutating func append(_ value: Int64) {
            field(8)
            put(UInt32(8))
            put(UInt64(bitPattern: value))
        }

        /// A `timestamptz` field from milliseconds since 1970 (UTC); nil is NULL.
        public mutating func append(millisecondsSinceEpoch value: Int64?) {
            guard let value else { return appendNull() }
            append((value - PostgresBinaryArray.postgresEpochMilliseconds) * 1000)
        }

        /// Counts the field and checks that it fits.
        private mutating func field(_ valueBytes: Int) {
            precondition(fieldsLeft > 0, "more fields than the row was begun with")
            precondition(count + 4 + valueBytes <= capacity, "the row is longer than its maximumBytes")
            fieldsLeft -= 1
        }

        private mutating func put(_ value: some FixedWidthInteger) {
            UnsafeMutableRawPointer(base + count).storeBytes(of: value.bigEndian, as: type(of: value))
            count += MemoryLayout.size(ofValue: value)
        }

        private mutating func copy(_ bytes: UnsafeBufferPointer<UInt8>) {
            if let source = bytes.baseAddress { (base + count).update(from: source, count: bytes.count) }
            count += bytes.count
        }
    }

    private mutating func field() {
        precondition(fieldsLeft > 0, "more fields than the row was begun with")
        fieldsLeft -= 1
    }

    private mutating func appendInt32(_ value: Int32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}
