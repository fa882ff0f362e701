public import Configuration
public import FlightModel
import Foundation

/// `format = "csv"`: a delimited FIDS export, mapped to normalized fields by the feed's
/// `[feeds.options]` (see `conf/feeds/heathrow-arrivals.toml` for a complete example):
///
/// | option | meaning |
/// |---|---|
/// | `columns` (required) | normalized field → column header name or 1-based index: `flight` (`QR005`: airline, number, suffix) or `airline` + `number` (+ `suffix`), `date`, `direction`, `origin`, `destination`, `scheduled`, `estimated`, `actual`, `runway_estimated`, `runway_actual`, `terminal`, `gate`, `stand`, `belt`, `checkin`, `status`, `remark`, `codeshares` |
/// | `header` | the column names in order; a row equal to it is the header, skipped (needed when `columns` names headers) |
/// | `delimiter` | one character, default `,` (`;`, `\t`, `|` are common) |
/// | `quote` | one character, default `"` |
/// | `direction` | `arrival` or `departure`, when no column says it |
/// | `time_format` | local times: `yyyy MM dd HH mm ss` and literals, default `yyyy-MM-dd HH:mm` |
/// | `date_format` | the `date` column, default `yyyy-MM-dd` |
/// | `timezone` | IANA zone of the local times, default the airport's |
/// | `status_map` | source status code → normalized status; unmapped codes are only `raw_status` |
/// | `empty` | `absent` (default: an empty cell says nothing) or `clear` (an empty cell clears) |
///
/// Local times are converted to UTC with the zone's rules: a time in the spring-forward gap
/// takes the offset before the change, a time in the fall-back overlap the earlier instant.
/// Without a `date` column the flight's date is the local date of its scheduled time — for an
/// arrival that is the arrival day, an approximation of DESIGN.md §2's departure date that
/// holds for flights that do not cross midnight. A frame is normally one row (`framing = "lf"`);
/// a frame of several rows (a whole file) decodes them all, and one bad row rejects the frame,
/// naming its line.
public struct CSVDecoder: FrameDecoder {
    let reader: CSVRowReader
    let header: [String]?
    let columns: [String: Int]
    let fixedDirection: Direction?
    let times: CSVLocalTime
    let dates: CSVLocalTime?
    let statusMap: [String: FlightStatus]
    let emptyClears: Bool

    static let knownOptions: Set<String> = [
        "columns", "header", "delimiter", "quote", "direction", "time_format", "date_format", "timezone", "status_map", "empty",
    ]
    static let identityColumns: Set<String> = ["flight", "airline", "number", "suffix", "date", "direction"]

    public init(feed: FeedConfig, airport: AirportConfig) throws(DecoderSetupError) {
        let options = feed.options
        if let unknown = options.keys.sorted().first(where: { !Self.knownOptions.contains($0) }) {
            throw DecoderSetupError("unknown option (one of \(Self.knownOptions.sorted().joined(separator: ", ")))", option: unknown)
        }
        /// A text option: nil when absent, an error when present but not text (a typo such as
        /// `time_format = 5` must not fall back to the default silently).
        func text(_ key: String) throws(DecoderSetupError) -> String? {
            guard let option = options[key] else { return nil }
            guard let value = option.string else { throw DecoderSetupError("must be a string", option: key) }
            return value
        }
        func character(_ key: String, default value: UInt8) throws(DecoderSetupError) -> UInt8 {
            guard let option = options[key] else { return value }
            let text = option.string == "\\t" ? "\t" : option.string
            guard let text, text.utf8.count == 1, let byte = text.utf8.first, byte != 0x0A, byte != 0x0D else {
                throw DecoderSetupError("must be one character", option: key)
            }
            return byte
        }
        reader = CSVRowReader(delimiter: try character("delimiter", default: UInt8(ascii: ",")), quote: try character("quote", default: UInt8(ascii: "\"")))
        guard reader.delimiter != reader.quote else { throw DecoderSetupError("delimiter and quote must differ", option: "quote") }

        if let value = options["header"] {
            guard let names = value.strings, !names.isEmpty else { throw DecoderSetupError("must be a list of column names", option: "header") }
            header = names
        } else {
            header = nil
        }
        guard let mapping = options["columns"]?.table, !mapping.isEmpty else {
            throw DecoderSetupError("required: a table of normalized field = column name or number", option: "columns")
        }
        var columns: [String: Int] = [:]
        for (field, column) in mapping.sorted(by: { $0.key < $1.key }) {
            guard Self.identityColumns.contains(field) || FlightField(name: field) != nil, field != "raw_status", field != "delays"
            else { throw DecoderSetupError("unknown field (see DESIGN.md §3)", option: "columns.\(field)") }
            if let number = column.integer {
                guard number >= 1 else { throw DecoderSetupError("column numbers start at 1", option: "columns.\(field)") }
                columns[field] = number - 1
            } else if let name = column.string {
                guard let header, let position = header.firstIndex(of: name) else {
                    throw DecoderSetupError("column \"\(name)\" is not in header", option: "columns.\(field)")
                }
                columns[field] = position
            } else {
                throw DecoderSetupError("must be a column name or number", option: "columns.\(field)")
            }
        }
        guard columns["flight"] != nil || (columns["airline"] != nil && columns["number"] != nil) else {
            throw DecoderSetupError("needs flight, or airline and number", option: "columns")
        }
        self.columns = columns

        if let value = try text("direction") {
            guard let direction = Direction(rawValue: value) else {
                throw DecoderSetupError("must be \"arrival\" or \"departure\"", option: "direction")
            }
            fixedDirection = direction
        } else {
            guard columns["direction"] != nil else { throw DecoderSetupError("required without a direction column", option: "direction") }
            fixedDirection = nil
        }
        let zoneName = try text("timezone") ?? airport.timezone
        guard let zone = TimeZone(identifier: zoneName) else { throw DecoderSetupError("unknown time zone \"\(zoneName)\"", option: "timezone") }
        let timeFormat = try text("time_format") ?? "yyyy-MM-dd HH:mm"
        guard let times = CSVLocalTime(pattern: timeFormat, zone: zone) else {
            throw DecoderSetupError("needs yyyy, MM, dd, HH and mm, and no other letters", option: "time_format")
        }
        self.times = times
        let dateFormat = try text("date_format") ?? "yyyy-MM-dd"
        dates = CSVLocalTime(pattern: dateFormat + " HH:mm", zone: TimeZone(identifier: "UTC") ?? zone)
        guard dates != nil else { throw DecoderSetupError("needs yyyy, MM and dd", option: "date_format") }
        guard columns["date"] != nil || columns["scheduled"] != nil else {
            throw DecoderSetupError("needs a date or a scheduled column to date the flight", option: "columns")
        }
        var statusMap: [String: FlightStatus] = [:]
        if let map = options["status_map"], map.table == nil { throw DecoderSetupError("must be a table of code = status", option: "status_map") }
        for (code, value) in options["status_map"]?.table ?? [:] {
            guard let name = value.string, let status = FlightStatus(rawValue: name) else {
                throw DecoderSetupError("not a status of DESIGN.md §3", option: "status_map.\(code)")
            }
            statusMap[code] = status
        }
        self.statusMap = statusMap
        switch try text("empty") ?? "absent" {
        case "absent": emptyClears = false
        case "clear": emptyClears = true
        default: throw DecoderSetupError("must be \"absent\" or \"clear\"", option: "empty")
        }
        if let header, let widest = columns.values.max(), widest >= header.count {
            throw DecoderSetupError("a column number is beyond the header's \(header.count) columns", option: "columns")
        }
    }

    public func decode(_ bytes: [UInt8], context: FrameContext) throws(DecodeError) -> [FlightUpdate] {
        var updates: [FlightUpdate] = []
        for (fields, line) in try reader.rows(bytes) {
            if let header, fields.map({ $0.filter { $0 != "\"" } }) == header { continue }
            updates.append(try update(fields, line: line, context: context))
        }
        return updates
    }

    private func update(_ fields: [String], line: Int, context: FrameContext) throws(DecodeError) -> FlightUpdate {
        if let header, fields.count != header.count {
            throw DecodeError("expected \(header.count) fields, found \(fields.count)", at: "line \(line)")
        }
        func name(_ field: String) -> String {
            guard let index = columns[field] else { return field }
            return header.map { index < $0.count ? $0[index] : field } ?? "column \(index + 1)"
        }
        func cell(_ field: String) throws(DecodeError) -> String? {
            guard let index = columns[field] else { return nil }
            guard index < fields.count else {
                throw DecodeError("expected at least \(index + 1) fields, found \(fields.count)", at: "line \(line)")
            }
            let value = fields[index].trimmingCharacters(in: .whitespaces)
            return value
        }
        func problem(_ field: String, _ value: String, _ expected: String) -> DecodeError {
            DecodeError("\"\(value.prefix(40))\" is not \(expected)", at: "line \(line), column \(name(field))")
        }

        var airline = try cell("airline") ?? ""
        var number = try cell("number") ?? ""
        var suffix = try cell("suffix")
        if let flight = try cell("flight") {
            let characters = Array(flight.uppercased())
            guard characters.count >= 3 else { throw problem("flight", flight, "a flight like QR005") }
            let airlineLength = characters[2].isLetter ? 3 : 2
            airline = String(characters.prefix(airlineLength))
            var rest = characters.dropFirst(airlineLength)
            if let last = rest.last, last.isLetter {
                suffix = String(last)
                rest = rest.dropLast()
            }
            number = String(rest)
        }
        let direction: Direction
        if let fixedDirection {
            direction = fixedDirection
        } else {
            let text = try cell("direction") ?? ""
            switch text.lowercased() {
            case "a", "arr", "arrival": direction = .arrival
            case "d", "dep", "departure": direction = .departure
            default: throw problem("direction", text, "A/arrival or D/departure")
            }
        }
        var scheduled: Timestamp?
        if let text = try cell("scheduled"), !text.isEmpty {
            guard let time = times.instant(Substring(text)) else { throw problem("scheduled", text, "a time like \(times.pattern)") }
            scheduled = time
        }
        let date: FlightDate
        if let text = try cell("date"), !text.isEmpty {
            guard let dates, let midnight = dates.instant(Substring(text + " 00:00")) else {
                throw problem("date", text, "a date like \(dates?.pattern.dropLast(6) ?? "yyyy-MM-dd")")
            }
            date = midnight.utcDate
        } else if let scheduled {
            date = FlightDate(utcDateOf: scheduled.adding(seconds: times.zone.secondsFromGMT(for: scheduled.date)))
        } else {
            throw DecodeError("no date: the date and scheduled cells are empty", at: "line \(line)")
        }
        let key: FlightKey
        do {
            key = try FlightKey(airline: airline, number: number, suffix: suffix, date: date, direction: direction)
        } catch {
            throw DecodeError(error.message, at: "line \(line), column \(name(columns["flight"] != nil ? "flight" : "number"))")
        }
        var update = FlightUpdate(key: key, feed: context.feed)
        for field in FlightField.allCases where field != .rawStatus && field != .delays {
            guard let text = try cell(field.name) else { continue }
            let here = "line \(line), column \(name(field.name))"
            if text.isEmpty {
                if emptyClears { update.clear(field) }
                continue
            }
            switch field.kind {
            case .time:
                guard let time = field == .scheduled ? scheduled : times.instant(Substring(text)) else {
                    throw problem(field.name, text, "a time like \(times.pattern)")
                }
                try update.set(field, checked: .time(time), at: here)
            case .status:
                if let status = statusMap[text] ?? FlightStatus(rawValue: text.lowercased()) {
                    update.set(.status, .status(status))
                }
                try update.set(.rawStatus, checked: .text(text), at: here)
            case .list:
                let items = text.split(separator: " ").map(String.init)
                try update.set(field, checked: .list(items), at: here)
            case .text, .delays:
                try update.set(field, checked: .text(text), at: here)
            }
        }
        return update
    }
}
