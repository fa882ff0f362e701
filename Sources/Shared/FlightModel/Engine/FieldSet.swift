/// A set of ``FlightField``s as one bit per field: the fields one update changed, the fields a
/// state knows, the fields an update mentions.
@usableFromInline
struct FieldSet: Sendable, Hashable {
    @usableFromInline var bits: UInt32 = 0

    @inlinable init() {}

    init(_ fields: some Sequence<FlightField>) {
        for field in fields { insert(field) }
    }

    @inlinable @inline(__always) static func bit(_ field: FlightField) -> UInt32 {
        1 << UInt32(truncatingIfNeeded: field.rawValue)
    }

    @inlinable mutating func insert(_ field: FlightField) { bits |= Self.bit(field) }

    @inlinable mutating func remove(_ field: FlightField) { bits &= ~Self.bit(field) }

    @inlinable @inline(__always) func contains(_ field: FlightField) -> Bool { bits & Self.bit(field) != 0 }

    /// How many fields of the set come before `field` in field order: where its element goes
    /// in an array that holds one per field of the set, in field order.
    @inlinable @inline(__always) func rank(of field: FlightField) -> Int {
        (bits & (Self.bit(field) &- 1)).nonzeroBitCount
    }

    @inlinable var isEmpty: Bool { bits == 0 }
}
