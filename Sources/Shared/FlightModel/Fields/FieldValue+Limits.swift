extension FieldValue {
    /// Why this value cannot be stored, or nil when it fits: the limits every decoder applies,
    /// so whatever one decoder accepts, the normalized JSON (and so `flightedge parse` and the
    /// `jsonl` feed) accepts too. Text at most ``FlightField/maximumTextBytes`` bytes without
    /// NUL; times within 2000–2099; lists up to 64 non-empty entries of at most 64 bytes; up to
    /// 16 delays, codes of 1–8 bytes, 0–10000 minutes.
    public var limitProblem: String? {
        switch self {
        case .text(let text):
            if text.utf8.count > FlightField.maximumTextBytes { return "longer than \(FlightField.maximumTextBytes) bytes" }
            if text.utf8.contains(0) { return "contains a NUL character" }
        case .time(let time):
            if time.millisecondsSinceEpoch < 946_684_800_000 || time.millisecondsSinceEpoch >= 4_102_444_800_000 {
                return "\(time.iso8601) is outside 2000–2099"
            }
        case .status:
            break
        case .list(let values):
            if values.count > 64 { return "more than 64 entries" }
            if values.contains(where: { $0.isEmpty || $0.utf8.count > 64 || $0.utf8.contains(0) }) {
                return "entries must be non-empty strings of at most 64 bytes"
            }
        case .delays(let delays):
            if delays.count > 16 { return "more than 16 delay codes" }
            if delays.contains(where: { $0.code.isEmpty || $0.code.utf8.count > 8 || !(0...10_000).contains($0.minutes) }) {
                return "each delay needs a code of 1–8 bytes and minutes 0–10000"
            }
        }
        return nil
    }
}
