/// Event ids (DESIGN.md §4): `uuid5(namespace, "{airport}/{flight_id}/{seq}/{kind}")`, lower-case
/// text. The airport is part of the name because one flight id lives at two airports: a
/// multi-leg flight departs from both under one number and date, and at the centre the second
/// airport's event would otherwise be dropped as a duplicate of the first's.
///
/// The namespace is FlightEdge's own, fixed forever (changing it would change every id):
/// `b4608434-5751-5105-bd6b-519cca72d177`, which is uuid5(NAMESPACE_URL,
/// "https://flightedge.dev/events"). A consumer can recompute an id, e.g. in Python
/// `uuid.uuid5(uuid.UUID("<namespace>"), "ZRH/LX1234-20261124-D/17/gate-change")`.
public enum EventID {
    /// The namespace in text.
    public static let namespaceText = "b4608434-5751-5105-bd6b-519cca72d177"

    /// The namespace's 16 bytes.
    public static let namespace: [UInt8] = UUIDv5.bytes(namespaceText)!

    /// The id of the `kind` event of `flightID` at `seq`, at `airport` (its IATA code).
    public static func make(airport: String, flightID: String, seq: Int64, kind: EventKind) -> String {
        // The name's bytes put together in one buffer: string interpolation appended its six
        // parts one by one, and this runs once per event on the pipeline's hot path.
        var name: [UInt8] = []
        name.reserveCapacity(airport.utf8.count + flightID.utf8.count + kind.rawValue.utf8.count + 23)
        name.append(contentsOf: airport.utf8)
        name.append(UInt8(ascii: "/"))
        name.append(contentsOf: flightID.utf8)
        name.append(UInt8(ascii: "/"))
        appendDecimal(seq, to: &name)
        name.append(UInt8(ascii: "/"))
        name.append(contentsOf: kind.rawValue.utf8)
        return UUIDv5.string(UUIDv5.make(namespace: namespace, name: name))
    }

    private static func appendDecimal(_ value: Int64, to bytes: inout [UInt8]) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        let start = bytes.count
        repeat {
            bytes.append(UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0"))
            magnitude /= 10
        } while magnitude > 0
        bytes[start...].reverse()
    }
}
