import Foundation
import Postgres

extension BenchCommand {
    /// `--only year`: a year of a 1,500-flight airport written by `HistoryWriter.commit` into
    /// the database `fe_bench_year` (dropped at the end unless `--keep`), its rows and bytes
    /// per table, per day and for the year; then the pipeline's throughput on it with and
    /// without the daemon's retention deleting the oldest 30 days (docs/OPERATIONS.md).
    func yearFigures(_ environment: BenchEnvironment, parts: Set<String>, into table: inout Table) async throws {
        guard parts.contains("year") else { return }
        let loadAtStart = FormatDay.loadAverage()
        let year = try await YearOfHistory.load(environment, days: yearDays)
        let days = Double(year.days)
        let name = "year: \(year.days) days × \(YearOfHistory.flightsPerDay) flights (HistoryWriter.commit, load \(String(format: "%.2f", loadAtStart)))"
        table.add(name, Double(year.updates), "updates")
        table.add("  year: load time (simulate, merge, commit; VACUUM ANALYZE)", year.loadSeconds, "s")
        table.add("  year: load rate", Double(year.updates) / year.loadSeconds, "updates/s")
        let megabyte = 1_048_576.0
        for size in year.tables where size.total > 64 * 1024 {
            table.add("  year: \(size.name): rows", Double(size.rows), "")
            table.add("  year: \(size.name): total (heap + indexes + TOAST)", Double(size.total) / megabyte, "MB")
            table.add("  year: \(size.name):   heap / indexes / TOAST", Double(size.heap) / megabyte, "MB")
            table.add("  year: \(size.name):   indexes", Double(size.indexes) / megabyte, "MB")
            table.add("  year: \(size.name):   TOAST", Double(size.toast) / megabyte, "MB")
            table.add("  year: \(size.name): per day", Double(size.total) / megabyte / days, "MB")
            if size.rows > 0 { table.add("  year: \(size.name): bytes per row", Double(size.total) / Double(size.rows), "B") }
        }
        let total = year.tables.reduce(0) { $0 + $1.total }
        table.add("  year: schema flightedge, all tables", Double(total) / megabyte / 1024, "GB")
        table.add("  year: schema flightedge, per day", Double(total) / megabyte / days, "MB")

        if year.days > 30 {
            let retention = try RetentionUnderLoad.run(environment, year: year, flights: flights, stateQoS: stateQos)
            let updates = retention.baseline.updates
            let loads = String(format: "load %.2f → %.2f", retention.loadBefore, retention.loadAfter)
            table.add("year: daemon start to healthy", retention.baselineReady, "s")
            table.add("  year: start to healthy, retention configured", retention.retentionReady, "s")
            table.add("year: tcp-listen \(updates) updates, no retention (\(loads))", retention.baseline.updatesPerSecond, "updates/s")
            table.add("  year: mean commit, no retention", retention.baseline.meanCommitMilliseconds, "ms")
            table.add(
                "year: tcp-listen, retention (\(retention.retentionDays) days) deleting", retention.withRetention.updatesPerSecond, "updates/s",
                ratio: retention.withRetention.updatesPerSecond / retention.baseline.updatesPerSecond, ratioName: "of no retention")
            table.add("  year: mean commit, retention deleting", retention.withRetention.meanCommitMilliseconds, "ms")
            table.add("  year: share of the feed with a DELETE running", retention.overlap, "")
            table.add(
                "  year: committed while DELETEs ran (\(String(format: "%.2f", retention.windowSeconds)) s)", retention.windowRate, "frames/s",
                ratio: retention.windowRate / retention.baselineWindowRate, ratioName: "of the same seconds")
            table.add("  year: the same seconds without retention", retention.baselineWindowRate, "frames/s")
            table.add("  year: rows past the window at start", Double(retention.expiredRows), "rows")
            table.add("  year: rows received in the first 30 days", Double(retention.firstThirtyDaysRows), "rows")
            table.add("  year: rows the daemon deleted", Double(retention.deletedRows), "rows")
            table.add("  year: retention time, first DELETE → last", retention.deletes.seconds, "s")
            table.add("  year: retention rate", retention.deletedRowsPerSecond, "rows/s")
            table.add("  year: DELETE statements seen (5 ms sampling)", Double(retention.deletes.statements), "")
            table.add(
                "  year: longest DELETE of 5,000 seen (statement \(retention.deletes.longestPosition) of \(retention.deletes.statements))",
                retention.deletes.longestMilliseconds, "ms")
            table.add("  year: median DELETE of 5,000 seen", retention.deletes.medianMilliseconds, "ms")
        }
        if !keep {
            let admin = try PostgresConnection(conninfo: environment.adminURL, applicationName: "flightedge-bench")
            try admin.execute("DROP DATABASE IF EXISTS \(YearOfHistory.database) WITH (FORCE)")
        }
    }
}
