import FlightModel

/// One flight as the boards show it: what its row says and which boards it belongs on, taken
/// from a committed ``FlightState``. Values are kept as the feed gave them; rendering escapes.
public struct BoardFlight: Sendable, Equatable {
    public var id: String
    public var direction: Direction
    /// The operating flight first (`LX 1234`), then its codeshares, which the row rotates through.
    public var designators: [String]
    /// Destination of a departure, origin of an arrival (an airport code as the feed gave it).
    public var place: String?
    public var scheduled: Timestamp?
    /// Shown only when it differs from ``scheduled``.
    public var estimated: Timestamp?
    public var terminal: String?
    public var gate: String?
    public var belt: String?
    public var status: BoardStatus
    public var remark: String?
    /// Block time that ended the flight (off-block, on-block), or the runway time.
    public var actual: Timestamp?
    /// The order of every list: scheduled time (what the passenger's ticket says), then flight.
    public var sortTime: Int64

    public init(_ state: FlightState) {
        id = state.key.flightID
        direction = state.key.direction
        var designator = Self.designator(airline: state.key.airline, number: state.key.number)
        designator += state.key.suffix ?? ""
        designators = [designator] + state.codeshares.map(Self.designator(codeshare:))
        place = direction == .departure ? state.destination : state.origin
        scheduled = state.scheduled
        estimated = state.estimated.flatMap { $0 == state.scheduled ? nil : $0 }
        terminal = state.terminal
        gate = state.gate
        belt = state.belt
        status = BoardStatus(state)
        remark = state.remark
        actual = state.actual ?? state.runwayActual
        sortTime = (state.scheduled ?? state.estimated ?? state.firstSeen).millisecondsSinceEpoch
    }

    /// When the flight leaves the departures or arrivals list (milliseconds since 1970): some
    /// minutes after it left or landed, after its time when cancelled, and three hours after
    /// its latest time when nothing more is heard (a delayed flight never vanishes early).
    public var leavesListAt: Int64 {
        let latest = max(scheduled?.millisecondsSinceEpoch ?? sortTime, estimated?.millisecondsSinceEpoch ?? sortTime)
        let minute: Int64 = 60_000
        switch status {
        case .departed: return (actual?.millisecondsSinceEpoch ?? latest) + 10 * minute
        case .landed, .arrived: return (actual?.millisecondsSinceEpoch ?? latest) + 30 * minute
        case .cancelled, .diverted: return latest + 30 * minute
        case .notOperating: return 0
        default: return latest + 180 * minute
        }
    }

    /// When the flight leaves its belt screen: 90 minutes after it landed.
    public var leavesBeltAt: Int64 {
        switch status {
        case .cancelled, .diverted, .notOperating: return 0
        default: return (actual ?? estimated ?? scheduled).map { $0.millisecondsSinceEpoch + 90 * 60_000 } ?? Int64.max
        }
    }

    /// `LX0012` → `LX 12`.
    static func designator(airline: String, number: String) -> String {
        // On bytes: FlightKey's airline and number are ASCII, and dropping zeros Character by
        // Character cost ~1,000 instructions a flight (callgrind).
        guard isPrintableASCII(airline), isPrintableASCII(number) else {
            let digits = number.drop { $0 == "0" }
            return "\(airline) \(digits.isEmpty ? "0" : digits)"
        }
        let digits = number.utf8.drop { $0 == UInt8(ascii: "0") }
        let count = airline.utf8.count + 1 + max(digits.count, 1)
        return String(unsafeUninitializedCapacity: count) { out in
            var at = out.initialize(from: airline.utf8).1
            out[at] = UInt8(ascii: " ")
            at += 1
            if digits.isEmpty {
                out[at] = UInt8(ascii: "0")
                return at + 1
            }
            return at + UnsafeMutableBufferPointer(rebasing: out[at...]).initialize(from: digits).1
        }
    }

    /// A codeshare as feeds write it (`AC6701`, `AC 0670`) → `AC 6701`, `AC 670`; anything else as given.
    static func designator(codeshare: String) -> String {
        guard isPrintableASCII(codeshare) else { return designator(unicodeCodeshare: codeshare) }
        // Printable ASCII: one byte a Character, so the rules below read bytes.
        var compact: [UInt8] = []
        compact.reserveCapacity(codeshare.utf8.count)
        for byte in codeshare.utf8 where byte != UInt8(ascii: " ") { compact.append(byte) }
        guard compact.count > 3 else { return codeshare }
        let airlineLength = isDigit(compact[2]) ? 2 : 3
        let number = compact[airlineLength...]
        guard !number.isEmpty, number.prefix(while: isDigit).count >= max(1, number.count - 1) else { return codeshare }
        return designator(
            airline: String(decoding: compact[..<airlineLength], as: UTF8.self),
            number: String(decoding: number, as: UTF8.self))
    }

    /// No byte outside 0x20–0x7E: each byte is one Character (`\r\n` would be one of two).
    private static func isPrintableASCII(_ text: String) -> Bool {
        text.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    /// ``designator(codeshare:)`` for text that is not all ASCII, Character by Character.
    private static func designator(unicodeCodeshare codeshare: String) -> String {
        let compact = codeshare.filter { $0 != " " }
        let characters = Array(compact)
        guard characters.count > 3 else { return codeshare }
        let airlineLength = characters[2].isNumber ? 2 : 3
        let number = characters[airlineLength...]
        guard !number.isEmpty, number.allSatisfy(\.isASCII),
            number.prefix(while: \.isNumber).count >= max(1, number.count - 1)
        else { return codeshare }
        return designator(airline: String(characters[..<airlineLength]), number: String(number))
    }
}
