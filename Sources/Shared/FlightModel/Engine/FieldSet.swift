/// A set of ``FlightField``s as one bit per field: the fields one update changed.
struct FieldSet: Sendable, Hashable {
    private var bits: UInt32 = 0

    init() {}

    init(_ fields: some Sequence<FlightField>) {
        for field in fields { insert(field) }
    }

    mutating func insert(_ field: FlightField) { bits |= 1 << UInt32(field.rawValue) }

    func contains(_ field: FlightField) -> Bool { bits & (1 << UInt32(field.rawValue)) != 0 }

    var isEmpty: Bool { bits == 0 }
}
