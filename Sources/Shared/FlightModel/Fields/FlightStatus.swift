/// A flight's normalized status (DESIGN.md §3); the source's own code is kept in
/// ``FlightField/rawStatus``. Raw values are the JSON names.
public enum FlightStatus: String, CaseIterable, Sendable, Hashable {
    case scheduled
    case delayed
    case checkIn = "check-in"
    case gateOpen = "gate-open"
    case boarding
    case finalCall = "final-call"
    case gateClosed = "gate-closed"
    case departed
    case airborne
    case landed
    case arrived
    case cancelled
    case diverted
    case notOperating = "not-operating"
    case deleted
    case unknown

    /// The status whose JSON name is exactly the UTF-8 `bytes` (a decoder's text in place): by
    /// length and first byte, then the bytes. The synthesized `init(rawValue:)` compares the
    /// `String` with each name in turn (`_findStringSwitchCase`, ~240 instructions a status).
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        guard let first = bytes.first else { return nil }
        for (name, status) in Self.utf8Names where name.count == bytes.count && name[0] == first {
            guard Self.equal(name, bytes) else { continue }
            self = status
            return
        }
        return nil
    }

    private static func equal(_ name: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for index in 1..<bytes.count where bytes[index] != name[index] { return false }
        return true
    }

    private static let utf8Names: [([UInt8], FlightStatus)] = allCases.map { (Array($0.rawValue.utf8), $0) }
}
