import Configuration
import Foundation
import ODBC
import Timing

/// `flightedge poll-once` for a `sql-poll` feed: the query once, bound to `cursor_start` (the
/// committed cursor lives in the gateway's database, which poll-once does not read), its first
/// ``maxRows`` rows as the frames the feed would hand over. Nothing is kept.
public struct SQLPollOnce: PullFetchOnce {
    public let config: FeedConfig
    /// Rows shown at most.
    public var maxRows = 100
    /// The zone local times are written in: `options.timezone`, else UTC (give the airport's).
    public var zone: TimeZone

    public init(config: FeedConfig, zone: TimeZone? = nil) {
        self.config = config
        self.zone = zone ?? config.options["timezone"]?.string.flatMap(TimeZone.init(identifier:)) ?? .gmt
    }

    public func fetchOnce() async throws -> PulledOnce {
        guard let settings = config.sqlPoll else { return PulledOnce(summary: "not a sql-poll feed", frames: []) }
        let password = try SecretFile.read(path: settings.passwordFile, credential: "sql-poll password")
        let session = SQLPollSession(settings: settings, password: password)
        defer { session.shutdown() }
        let cursor = settings.cursorStart
        let outcome = try await session.poll(after: cursor, maxRows: maxRows)
        let rows = SQLPollRows(columns: settings.columns, cursorColumn: settings.cursorColumn, options: config.options, zone: zone)
        let complete = outcome.result.rows.count < maxRows
        let mapped = try rows.rows(of: outcome.result, after: cursor, complete: complete)
        let polledAt = WallClock.milliseconds
        let frames = mapped.enumerated().map { index, row in
            Frame(
                feed: config.name, position: .poll(at: polledAt, tag: row.resume, offset: Int64(index)),
                bytes: settings.csvLine(row.values), receivedAtMilliseconds: polledAt)
        }
        let summary =
            "\(outcome.result.columns.count) columns (\(outcome.result.columns.joined(separator: ", "))), "
            + "\(mapped.count) row(s) after \(settings.cursorColumn) \(cursor)" + (complete ? "" : " (the first \(maxRows))")
            + (mapped.last.map { "; the last row's cursor: \($0.cursor)" } ?? "")
        return PulledOnce(summary: summary, frames: frames)
    }
}
