import Foundation
import Postgres

/// Watches the daemon's retention statements from outside: every 5 ms, on a thread and a
/// connection of its own, the `DELETE FROM flightedge.flight_changes` running (or just ended)
/// in the database, by `pg_stat_activity`. Each statement is known by its `query_start`; its
/// duration is the longest seen (now while it runs, `state_change` once its backend is idle),
/// so a batch shorter than the period may be missed and a duration is short by at most one
/// period. The daemon logs nothing per batch, and its counters move once per round.
final class DeleteSampler: @unchecked Sendable {
    struct Summary {
        /// Distinct statements seen.
        var statements: Int
        /// The longest and the median, in ms.
        var longestMilliseconds: Double
        var medianMilliseconds: Double
        /// The longest one's place among those seen, from 1 (by start).
        var longestPosition: Int
        /// First seen statement's start to the last one's end (the server's clock).
        var seconds: Double
        /// When a statement was first and last seen running (the bench's monotonic clock).
        var firstSeen: Double
        var lastSeen: Double
    }

    private let lock = NSLock()
    private var durations: [String: Double] = [:]
    private var firstStart = Double.infinity
    private var lastEnd = -Double.infinity
    private var seen: (first: Double, last: Double)?
    private var stopped = false
    private var error: (any Error)?
    private let done = DispatchSemaphore(value: 0)
    /// Used by the sampling thread only.
    private let connection: PostgresConnection

    init(url: String) throws {
        connection = try PostgresConnection(conninfo: url, applicationName: "flightedge-bench sampler")
        Thread.detachNewThread { [self] in
            defer { done.signal() }
            do {
                while !lock.withLock({ stopped }) {
                    record(try connection.query(Self.sql).rows)
                    usleep(5_000)
                }
            } catch {
                lock.withLock { self.error = error }
            }
        }
    }

    private static let sql = """
        SELECT query_start::text, extract(epoch FROM query_start),
               extract(epoch FROM CASE WHEN state = 'active' THEN clock_timestamp() ELSE state_change END)
          FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()
           AND query LIKE 'DELETE FROM flightedge.flight\\_changes%'
        """

    private func record(_ rows: [[String?]]) {
        let time = now()
        lock.withLock {
            for row in rows {
                guard let key = row[0], let start = row[1].flatMap(Double.init), let end = row[2].flatMap(Double.init) else { continue }
                durations[key] = max(durations[key] ?? 0, end - start)
                firstStart = min(firstStart, start)
                lastEnd = max(lastEnd, end)
                seen = (seen?.first ?? time, time)
            }
        }
    }

    /// When the first statement was seen (monotonic), nil before.
    var firstSeen: Double? { lock.withLock { seen?.first } }

    /// Stops sampling; what was seen.
    func stop() throws -> Summary {
        lock.withLock { stopped = true }
        done.wait()
        if let error = lock.withLock({ error }) { throw BenchError("pg_stat_activity sampling failed: \(error)") }
        return lock.withLock {
            Summary(
                statements: durations.count, longestMilliseconds: 1000 * (durations.values.max() ?? 0),
                medianMilliseconds: 1000 * (durations.values.sorted().dropFirst(durations.count / 2).first ?? 0),
                longestPosition: durations.max { $0.value < $1.value }.flatMap { longest in
                    durations.keys.sorted().firstIndex(of: longest.key).map { $0 + 1 }
                } ?? 0,
                seconds: seen == nil ? 0 : lastEnd - firstStart, firstSeen: seen?.first ?? 0, lastSeen: seen?.last ?? 0)
        }
    }
}
