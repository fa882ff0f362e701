/// Arrival or departure, as seen from this airport.
public enum Direction: String, Sendable, Hashable, CaseIterable {
    case arrival
    case departure

    /// The direction named `rawValue` exactly (`arrival`, `departure`). Written out because the
    /// synthesized one searches a table of the names (`_findStringSwitchCase`), on every decoded
    /// update.
    public init?(rawValue: String) {
        if rawValue == "arrival" {
            self = .arrival
        } else if rawValue == "departure" {
            self = .departure
        } else {
            return nil
        }
    }

    /// The direction whose name is exactly the UTF-8 `bytes` (a decoder's text in place).
    public init?(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        // Against the names' static bytes: `elementsEqual` with a `String.UTF8View` went
        // through the generic iterator, ~450 instructions an update (callgrind).
        if Self.spell(bytes, "arrival") {
            self = .arrival
        } else if Self.spell(bytes, "departure") {
            self = .departure
        } else {
            return nil
        }
    }

    private static func spell(_ bytes: UnsafeBufferPointer<UInt8>, _ name: StaticString) -> Bool {
        guard bytes.count == name.utf8CodeUnitCount else { return false }
        for index in 0..<bytes.count where bytes[index] != name.utf8Start[index] { return false }
        return true
    }

    /// `A` or `D`, as in the flight id.
    public var letter: String { self == .arrival ? "A" : "D" }

    /// The direction of a flight id's last letter, `A` or `D`.
    public init?(letter: some StringProtocol) {
        switch letter {
        case "A": self = .arrival
        case "D": self = .departure
        default: return nil
        }
    }
}
