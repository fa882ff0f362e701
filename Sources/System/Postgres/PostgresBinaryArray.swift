/// Array parameters in PostgreSQL's binary format (`array_send`/`array_recv`), for
/// `unnest($1::text[])` and friends when a batch's column is large: each element goes as its
/// length and its bytes, so neither side escapes or scans for quotes. The text literals of
/// ``PostgresArray`` cost the server `array_in` over every byte of every JSON payload (a quarter
/// of PostgreSQL's CPU in a commit, docs/PERFORMANCE.md) and the daemon an escape of each `"`.
///
/// The parameter's type comes from the statement (`$1::jsonb[]`): the element type written
/// here must be that type, or PostgreSQL refuses the value ("wrong element type").
///
/// Layout (PostgreSQL's `array_recv`): dimensions (1), has-nulls flag, element type OID,
/// length and lower bound (1) of the one dimension, all big-endian `int32`; then per element
/// its length (−1 for NULL) and its binary form.
public struct PostgresBinaryArray: Sendable {
    /// Element types, by OID (`pg_type.oid`), with the binary form each takes.
    public enum ElementType: UInt32, Sendable {
        case bool = 16
        case int8 = 20
        case int2 = 21
        case text = 25
        case timestamptz = 1184
        case jsonb = 3802
    }

    private var bytes: [UInt8]
    private var count: Int32 = 0
    private var hasNulls = false
    private let elementType: ElementType

    /// An empty array of `elementType` with room for about `capacity` bytes of elements.
    public init(of elementType: ElementType, capacity: Int = 0) {
        self.elementType = elementType
        bytes = []
        bytes.reserveCapacity(20 + capacity)
        for _ in 0..<5 { appendInt32(0) }  // the header, written by `value`
    }

    /// The parameter, sent in binary format: the header written in place and the bytes handed
    /// over, not copied (a batch's `jsonb[]` runs to megabytes).
    public consuming func finish() -> PostgresValue {
        var array = bytes
        bytes = []
        array.withUnsafeMutableBytes { raw in
            raw.storeBytes(of: Int32(1).bigEndian, toByteOffset: 0, as: Int32.self)
            raw.storeBytes(of: Int32(hasNulls ? 1 : 0).bigEndian, toByteOffset: 4, as: Int32.self)
            raw.storeBytes(of: elementType.rawValue.bigEndian, toByteOffset: 8, as: UInt32.self)
            raw.storeBytes(of: count.bigEndian, toByteOffset: 12, as: Int32.self)
            raw.storeBytes(of: Int32(1).bigEndian, toByteOffset: 16, as: Int32.self)
        }
        return .bytes(array)
    }

    /// Adds a NULL element.
    public mutating func appendNull() {
        appendInt32(-1)
        hasNulls = true
        count += 1
    }

    /// Adds a `text` element (UTF-8), or the text of a `jsonb` element (its version byte first).
    public mutating func append(utf8 element: some Collection<UInt8>) {
        let jsonb = elementType == .jsonb
        let length = element.count + (jsonb ? 1 : 0)
        precondition(length <= Int32.max, "an array element over 2 GB")
        appendInt32(Int32(length))
        if jsonb { bytes.append(1) }  // jsonb_recv's format version
        if element.withContiguousStorageIfAvailable({ bytes.append(contentsOf: $0) }) == nil {
            bytes.append(contentsOf: element)
        }
        count += 1
    }

    /// Adds a `text` (or `jsonb`) element; nil is NULL.
    public mutating func append(_ element: String?) {
        guard var element else { return appendNull() }
        element.withUTF8 { append(utf8: $0) }
    }

    /// Adds an `int8` or `int2` element.
    public mutating func append(_ element: Int64) {
        switch elementType {
        case .int2:
            precondition(Int64(Int16.min)...Int64(Int16.max) ~= element, "\(element) is out of smallint's range")
            appendInt32(2)
            withUnsafeBytes(of: Int16(element).bigEndian) { bytes.append(contentsOf: $0) }
        default:
            appendInt32(8)
            withUnsafeBytes(of: element.bigEndian) { bytes.append(contentsOf: $0) }
        }
        count += 1
    }

    /// Adds a `bool` element.
    public mutating func append(_ element: Bool) {
        appendInt32(1)
        bytes.append(element ? 1 : 0)
        count += 1
    }

    /// Adds a `timestamptz` element: milliseconds since 1970-01-01 UTC (PostgreSQL counts
    /// microseconds since 2000-01-01); nil is NULL.
    public mutating func append(millisecondsSinceEpoch element: Int64?) {
        guard let element else { return appendNull() }
        appendInt32(8)
        let microseconds = (element - Self.postgresEpochMilliseconds) * 1000
        withUnsafeBytes(of: microseconds.bigEndian) { bytes.append(contentsOf: $0) }
        count += 1
    }

    /// 2000-01-01T00:00:00Z in milliseconds since 1970.
    static let postgresEpochMilliseconds: Int64 = 946_684_800_000

    private mutating func appendInt32(_ value: Int32) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }
}

extension PostgresBinaryArray {
    // Concrete entry points, so that callers in other modules get code specialised for their
    // element type (a generic one called across modules runs unspecialised, per element).

    /// A `text[]` (or, with `type` `.jsonb`, a `jsonb[]`) of UTF-8 elements.
    public static func text(utf8 elements: [[UInt8]], as type: ElementType = .text) -> PostgresValue {
        text(utf8Elements: elements, as: type)
    }

    /// A `text[]` (or `jsonb[]`) of parts of buffers.
    public static func text(utf8 elements: [ArraySlice<UInt8>], as type: ElementType = .text) -> PostgresValue {
        text(utf8Elements: elements, as: type)
    }

    /// A `text[]` (or `jsonb[]`) of parts of buffers; nil elements are NULL.
    public static func text(utf8 elements: [ArraySlice<UInt8>?], as type: ElementType = .text) -> PostgresValue {
        text(optionalUTF8Elements: elements, as: type)
    }

    private static func text<Element: Collection<UInt8>>(utf8Elements elements: [Element], as type: ElementType) -> PostgresValue {
        var array = PostgresBinaryArray(of: type, capacity: elements.reduce(0) { $0 + $1.count + 5 })
        for element in elements { array.append(utf8: element) }
        return array.finish()
    }

    private static func text<Element: Collection<UInt8>>(
        optionalUTF8Elements elements: [Element?], as type: ElementType
    ) -> PostgresValue {
        var array = PostgresBinaryArray(of: type, capacity: elements.reduce(0) { $0 + ($1?.count ?? 0) + 5 })
        for element in elements {
            if let element { array.append(utf8: element) } else { array.appendNull() }
        }
        return array.finish()
    }

    /// A `text[]` (or `jsonb[]`) of strings; nil elements are NULL.
    public static func text(_ elements: [String?], as type: ElementType = .text) -> PostgresValue {
        var array = PostgresBinaryArray(of: type, capacity: elements.count * 24)
        for element in elements { array.append(element) }
        return array.finish()
    }

    /// A `text[]` of non-optional strings.
    public static func text(_ elements: [String]) -> PostgresValue {
        var array = PostgresBinaryArray(of: .text, capacity: elements.reduce(0) { $0 + $1.utf8.count + 4 })
        for element in elements { array.append(element) }
        return array.finish()
    }

    /// An `int8[]` (or, with `type` `.int2`, a `smallint[]`).
    public static func integers(_ elements: [Int64], as type: ElementType = .int8) -> PostgresValue {
        var array = PostgresBinaryArray(of: type, capacity: elements.count * 12)
        for element in elements { array.append(element) }
        return array.finish()
    }

    /// An `int8[]` (or, with `type` `.int2`, a `smallint[]`).
    public static func integers(_ elements: [Int], as type: ElementType = .int8) -> PostgresValue {
        var array = PostgresBinaryArray(of: type, capacity: elements.count * 12)
        for element in elements { array.append(Int64(element)) }
        return array.finish()
    }

    /// A `bool[]`.
    public static func booleans(_ elements: [Bool]) -> PostgresValue {
        var array = PostgresBinaryArray(of: .bool, capacity: elements.count * 5)
        for element in elements { array.append(element) }
        return array.finish()
    }

    /// A `timestamptz[]` of milliseconds since 1970 (UTC); nil elements are NULL.
    public static func timestamps(millisecondsSinceEpoch elements: [Int64?]) -> PostgresValue {
        var array = PostgresBinaryArray(of: .timestamptz, capacity: elements.count * 12)
        for element in elements { array.append(millisecondsSinceEpoch: element) }
        return array.finish()
    }
}
