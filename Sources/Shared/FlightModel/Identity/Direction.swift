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
        if bytes.elementsEqual("arrival".utf8) {
            self = .arrival
        } else if bytes.elementsEqual("departure".utf8) {
            self = .departure
        } else {
            return nil
        }
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
