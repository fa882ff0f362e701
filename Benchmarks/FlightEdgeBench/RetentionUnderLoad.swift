import AirportSimulator
import FlightEdgeTestSupport
import Foundation
import Postgres

/// The pipeline on a year of history, with and without retention: the release daemon is
/// started twice on the year's database and takes a simulated hub day over tcp-listen each
/// time; the second time with `history_retention_days` set so that its own retention round
/// (`HistoryRetentionService`, 5 s after start, 5,000 rows per statement, through the same
/// `HistoryWriter` as the commits) deletes the year's oldest 30 days while the day arrives.
/// The two days have the same flights and updates, on two future dates (no flight of the year
/// or of the other run is touched).
enum RetentionUnderLoad {
    struct Result {
        var retentionDays: Int
        var baselineReady: Double
        var baseline: EndToEnd.Result
        var retentionReady: Double
        var withRetention: EndToEnd.Result
        /// Rows older than the window when the daemon started, and the daemon's own count of
        /// what it deleted (`flightedge_retention_deleted_rows_total`).
        var expiredRows: Int
        /// Rows received in the year's first 30 simulated days.
        var firstThirtyDaysRows: Int
        var deletedRows: Int
        var deletes: DeleteSampler.Summary
        /// Share of the day's feed (first byte to last PUBACK) during which a retention DELETE was seen running.
        var overlap: Double
        /// Frames committed per second while a retention DELETE was seen running (within the
        /// feed), and over the same seconds of the run without retention (counted from the first byte).
        var windowSeconds: Double
        var windowRate: Double
        var baselineWindowRate: Double
        var loadBefore: Double
        var loadAfter: Double
        var deletedRowsPerSecond: Double { Double(deletedRows) / max(deletes.seconds, 1e-9) }
    }

    static func run(_ environment: BenchEnvironment, year: YearOfHistory.Result, flights: Int, stateQoS: Int) throws -> Result {
        let retentionDays = year.days - 30
        let loadBefore = FormatDay.loadAverage()
        let tomorrow = (Int64(Date().timeIntervalSince1970) / 86_400 + 1) * 86_400
        let day = { (start: Int64) in AirportDay(airport: "BEN", flights: flights, seed: 11, dayStart: start).messages().map(\.json) }

        // Without retention: fed once the retention service's first round (table sizes only) is past.
        let baselineSampler = try DeleteSampler(url: year.url)
        let baselineDaemon = try DaemonProcess.benchmark(environment, databaseURL: year.url, stateQoS: stateQoS, name: "year")
        let baselineLines = day(tomorrow)
        try waitForWriterLock(year.url)
        let baselineReady = try baselineDaemon.start(waitingFor: .healthy)
        usleep(UInt32(max(0, 6 - baselineReady) * 1e6))
        let baselineTrace = CommitTrace(httpPort: baselineDaemon.httpPort)
        let baselineStart = now()
        let baseline = try EndToEnd.feed(baselineDaemon, lines: baselineLines)
        baselineTrace.stop()
        _ = baselineDaemon.stop()
        _ = try baselineSampler.stop()

        // With retention: fed as soon as its first DELETE runs.
        let connection = try PostgresConnection(conninfo: year.url, applicationName: "flightedge-bench")
        let expired = try connection.query(
            "SELECT count(*) FROM flightedge.flight_changes WHERE received_at < now() - make_interval(days => $1)",
            [.int(Int64(retentionDays))]
        ).rows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? 0
        let firstThirtyDays = try connection.query(
            "SELECT count(*) FROM flightedge.flight_changes WHERE received_at < to_timestamp($1)", [.int(year.dayStarts[30])]
        ).rows.first?.first.flatMap { $0 }.flatMap { Int($0) } ?? 0
        let daemon = try DaemonProcess.benchmark(environment, databaseURL: year.url, stateQoS: stateQoS, name: "year")
        let config = try String(contentsOfFile: daemon.configPath, encoding: .utf8)
        try (config + "\n[housekeeping]\nhistory_retention_days = \(retentionDays)\n").write(
            toFile: daemon.configPath, atomically: true, encoding: .utf8)
        let lines = day(tomorrow + 86_400)
        let sampler = try DeleteSampler(url: year.url)
        try waitForWriterLock(year.url)
        let ready = try daemon.start(waitingFor: .healthy)
        defer { daemon.stop() }
        let trace = CommitTrace(httpPort: daemon.httpPort)
        let deadline = now() + 30
        while sampler.firstSeen == nil {
            guard now() < deadline else { throw BenchError("no retention DELETE within 30 s of the daemon's start") }
            usleep(1_000)
        }
        let feedStart = now()
        let withRetention = try EndToEnd.feed(daemon, lines: lines)
        let metric = #"flightedge_retention_deleted_rows_total{table="flight_changes"}"#
        var deleted = 0.0
        while deleted == 0 {
            guard now() < deadline + 600 else { throw BenchError("retention did not finish within 10 minutes") }
            deleted = try daemon.metric(metric) ?? 0
            if deleted == 0 { usleep(20_000) }
        }
        trace.stop()
        let deletes = try sampler.stop()
        let windowStart = max(feedStart, deletes.firstSeen)
        let windowEnd = min(feedStart + withRetention.seconds, deletes.lastSeen)
        let window = max(0, windowEnd - windowStart)
        let baselineWindow = (baselineStart + windowStart - feedStart, baselineStart + windowEnd - feedStart)
        return Result(
            retentionDays: retentionDays, baselineReady: baselineReady, baseline: baseline, retentionReady: ready,
            withRetention: withRetention, expiredRows: expired, firstThirtyDaysRows: firstThirtyDays, deletedRows: Int(deleted), deletes: deletes,
            overlap: window / withRetention.seconds, windowSeconds: window, windowRate: trace.rate(from: windowStart, to: windowEnd),
            baselineWindowRate: baselineTrace.rate(from: baselineWindow.0, to: baselineWindow.1), loadBefore: loadBefore, loadAfter: FormatDay.loadAverage())
    }

    /// Waits until no process holds the database's writer lock (the load's `HistoryWriter`,
    /// the daemon before): start to healthy is then the daemon's own.
    private static func waitForWriterLock(_ url: String) throws {
        let connection = try PostgresConnection(conninfo: url, applicationName: "flightedge-bench")
        let deadline = now() + 60
        while try connection.query(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        ).rows.first?.first != "0" {
            guard now() < deadline else { throw BenchError("the writer lock of \(YearOfHistory.database) is still held after 60 s") }
            usleep(10_000)
        }
    }
}
