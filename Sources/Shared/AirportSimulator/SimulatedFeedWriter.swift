/// The formats `flightedge simulate --format` writes a day in.
public enum SimulatedFormat: String, CaseIterable, Sendable {
    /// Normalized updates, one JSON object a line (DESIGN.md §3).
    case jsonl
    /// IATA AIDX 21.3 `IATA_AIDX_FlightLegNotifRQ` documents, one leg each, shaped like the
    /// Amadeus messages in `Tests/Gateway/FeedFormatsTests/Samples/aidx` (with a vendor
    /// `TPA_Extension`), each between STX and ETX.
    case aidx
    /// IATA Type B movement messages (`MVT`, `DIV`), SOH heading, STX text, ETX.
    case mvt

    /// The feed framing that reads this format's output: `lf` for jsonl, `stx-etx` otherwise.
    public var framing: String { self == .jsonl ? "lf" : "stx-etx" }
}

/// Writes the messages of an ``AirportDay``, in order, as one feed format. Each message
/// becomes one frame with its framing bytes; a message the format cannot carry becomes none.
///
/// What the formats carry of the jsonl day:
/// - **aidx**: every fact. The status is an `OperationTime` milestone (`CHK`, `GTO`, `BST`,
///   `FCT`, `GCL` at the message's time; `OFB`, `TKO`, `TDN`, `ONB` at the actual times) or an
///   `OperationalStatus` (`DX`, `DV` with `PlannedArrivalAptHistory`, `SQ` reinstated, `DEL`,
///   `TKO` for an arrival airborne elsewhere), `RemarkTextCode SCT` for a new flight. Every
///   leg names its airports (`LegIdentifier`), so each update also says origin and destination;
///   the decoder adds the code as `raw_status`.
/// - **mvt**: only movements — departure estimates (`EO`, or `ED` with status delayed), off-block
///   and airborne (`AD`), an arrival's take-off elsewhere (`AD … EA hhmm ZRH EB ddhhmm`: also
///   `runway_estimated`, 5 min before the on-block estimate), touchdown and on-block (`AA`), and
///   diversions (`DIV … EA hhmm BSL`). Schedules, terminals, codeshares, check-in, gates,
///   stands, belts, boarding, cancellations and remarks have no MVT element: those messages are
///   not written.
public struct SimulatedFeedWriter: Sendable {
    public let format: SimulatedFormat
    private var movements = MVTMessageWriter()

    public init(format: SimulatedFormat) {
        self.format = format
    }

    /// The frame of `message`, framing included; nil when the format carries none of its facts.
    public mutating func frame(for message: AirportDay.Message) -> [UInt8]? {
        switch format {
        case .jsonl:
            var bytes = Array(message.json.utf8)
            bytes.append(UInt8(ascii: "\n"))
            return bytes
        case .aidx:
            return AIDXMessageWriter.frame(message.update, time: message.time)
        case .mvt:
            return movements.frame(message.update, time: message.time)
        }
    }
}

/// Text appended as UTF-8 to a byte buffer, with XML escaping where asked.
struct ByteText {
    var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func add(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func add(_ byte: UInt8) { bytes.append(byte) }

    /// Character data or an attribute value.
    mutating func escaped(_ text: String) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): add("&amp;")
            case UInt8(ascii: "<"): add("&lt;")
            case UInt8(ascii: ">"): add("&gt;")
            case UInt8(ascii: "\""): add("&quot;")
            default: bytes.append(byte)
            }
        }
    }

    /// `<name attributes>text</name>`, the text escaped.
    mutating func element(_ name: String, _ text: String) { element(name, "", text) }

    /// `<name attributes>text</name>`, the text escaped.
    mutating func element(_ name: String, _ attributes: String, _ text: String) {
        add("<\(name)\(attributes)>")
        escaped(text)
        add("</\(name)>")
    }
}
