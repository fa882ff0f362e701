import Foundation

/// An IANA time zone (`Europe/Zurich`): its UTC offset at any instant, read from the system's tz
/// database (`$TZDIR`, else `/usr/share/zoneinfo`, Debian's `tzdata`).
///
/// Why not Foundation's `TimeZone`: on Linux it asks ICU, whose first use maps ~2 MB of ICU data
/// into the process and whose lookups take a lock; the gateway asks for an offset for every local
/// time it writes. Foundation still answers for a name the database lacks, so every name
/// `TimeZone(identifier:)` knows keeps working.
public struct ZoneRules: Sendable {
    /// The name the zone was asked for, as configured.
    public let identifier: String

    public enum Origin: Equatable, Sendable {
        /// A file of the tz database.
        case zoneinfo(path: String)
        /// Foundation's `TimeZone` (ICU): the database had no readable file of that name.
        case foundation
        /// Built into the gateway: ``ZoneRules/utc``.
        case builtIn
    }

    private enum Source: Sendable {
        case table(path: String?)
        case foundation(TimeZone)
    }

    private let source: Source
    /// The tz file's offsets (nil: Foundation answers), read where they are: bound out of an
    /// enum's payload they were copied, a retain of each array, for every offset asked for.
    private let table: TZifDecoder.Table?

    /// Where the offsets come from.
    public var origin: Origin {
        switch source {
        case .table(let path?): .zoneinfo(path: path)
        case .table(nil): .builtIn
        case .foundation: .foundation
        }
    }

    /// UTC, without reading anything.
    public static let utc = ZoneRules(
        identifier: "UTC", source: .table(path: nil),
        table: .init(transitions: [], offsets: [], initialOffset: 0, rule: nil))

    private init(identifier: String, source: Source, table: TZifDecoder.Table? = nil) {
        self.identifier = identifier
        self.source = source
        self.table = table
    }

    /// The zone named `identifier`, or nil when neither the tz database nor Foundation knows it.
    /// `directory` overrides `$TZDIR` (tests).
    public static func named(_ identifier: String, directory: String? = nil) -> ZoneRules? {
        let root = directory ?? ProcessInfo.processInfo.environment["TZDIR"] ?? "/usr/share/zoneinfo"
        if isDatabaseName(identifier) {
            let path = root + "/" + identifier
            if let data = FileManager.default.contents(atPath: path),
                let table = try? TZifDecoder.decode(Array(data))
            {
                return ZoneRules(identifier: identifier, source: .table(path: path), table: table)
            }
        }
        guard let zone = TimeZone(identifier: identifier) else { return nil }
        return ZoneRules(identifier: identifier, source: .foundation(zone))
    }

    /// A name that stays inside the database directory: letters, digits, `_+-.` and `/` between
    /// parts, no part `.` or `..`.
    static func isDatabaseName(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        let allowed = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "+"), UInt8(ascii: "-"),
                UInt8(ascii: "."), UInt8(ascii: "/"):
                true
            default: false
            }
        }
        return allowed && name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { part in
            !part.isEmpty && part != "." && part != ".."
        }
    }

    /// The UTC offset at `time`, seconds east (DST-correct).
    public func offsetSeconds(at time: Timestamp) -> Int {
        offsetSeconds(atEpochSeconds: POSIXZoneRule.floorDiv(time.millisecondsSinceEpoch, 1000))
    }

    /// The UTC offset at `seconds` since the epoch, seconds east.
    public func offsetSeconds(atEpochSeconds seconds: Int64) -> Int {
        if let offset = table?.offset(atEpochSeconds: seconds) { return offset }
        guard case .foundation(let zone) = source else { return 0 }
        return zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))
    }
}

extension TZifDecoder.Table {
    /// The UTC offset at `seconds` since the epoch, seconds east.
    func offset(atEpochSeconds seconds: Int64) -> Int {
        guard let first = transitions.first, seconds >= first else { return initialOffset }
        if seconds > transitions[transitions.count - 1], let rule {
            return rule.offset(atEpochSeconds: seconds)
        }
        // The last transition at or before `seconds`.
        var low = 0
        var high = transitions.count
        while high - low > 1 {
            let middle = (low + high) / 2
            if transitions[middle] <= seconds { low = middle } else { high = middle }
        }
        return Int(offsets[low])
    }
}
