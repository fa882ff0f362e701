import Foundation

/// The day the benchmarks simulate: tomorrow (UTC), not a fixed date.
///
/// Why: the daemon's housekeeping runs 5 s after its start and then every minute; it clears
/// from the retained topics the flights that ended more than `retain_hours` (12) ago and
/// forgets flights without times two days after their date. With the fixed day the benchmarks
/// were written on (2026-11-24), every run from 2026-11-26 on had that sweep clear and forget
/// every flight it had seen, in the middle of the run: in the 5,500-flight run thousands of
/// empty retained messages and a reload from the database for each flight's next update, and
/// in the latency run a 10–13 ms stall of every update's PUBACK once a minute (the
/// slow-update trace, docs/PERFORMANCE.md "the tail, third round"). At an airport the day in
/// the feed is today's; tomorrow's day keeps every flight of the run alive for all of it.
enum BenchDay {
    /// Midnight UTC at the start of tomorrow, seconds since 1970.
    static let start: Int64 = (Int64(Date().timeIntervalSince1970) / 86_400 + 1) * 86_400

    /// The same day as `yyyy-MM-dd`.
    static let date: String = {
        var seconds = time_t(start)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02d", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday))
    }()
}
