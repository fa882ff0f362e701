import Configuration
import Foundation
import ODBC
import Timing

/// `flightedge poll-once` for a `sql-poll` feed: the query once, bound to the cursor the
/// daemon would bind now (the committed one from `feed_checkpoints`, else `cursor_start`), its
/// first ``maxRows`` rows as the frames the feed would hand over. Nothing is kept: the cursor
/// does not move. The summary says which cursor was bound.
public struct SQLPollOnce: PullFetchOnce {
    public let config: FeedConfig
    /// The cursor to bind.
    public var cursor: Cursor
    /// Rows shown at most.
    public var maxRows = 100
    /// The zone local times are written in: `options.timezone`, else UTC (give the airport's).
    public var zone: TimeZone

    /// Which value is bound to the query's `?`.
    public enum Cursor: Sendable, Equatable {
        /// The resume value of the feed's last committed row (`feed_checkpoints`).
        case committed(String)
        /// `cursor_start`, and why no committed cursor is used (none yet, or the gateway's
        /// database could not be read).
        case start(reason: String)
    }

    public init(config: FeedConfig, cursor: Cursor = .start(reason: "no checkpoint read"), zone: TimeZone? = nil) {
        self.config = config
        self.cursor = cursor
        self.zone = zone ?? config.options["timezone"]?.string.flatMap(TimeZone.init(identifier:)) ?? .gmt
    }

    public func fetchOnce() async throws -> PulledOnce {
        guard let settings = config.sqlPoll else { return PulledOnce(summary: "not a sql-poll feed", frames: []) }
        let password = try SecretFile.read(path: settings.passwordFile, credential: "sql-poll password")
        let session = SQLPollSession(settings: settings, password: password)
        defer { session.shutdown() }
        let (cursor, boundNote): (String, String) =
            switch self.cursor {
            case .committed(let value): (value, "the committed cursor (feed_checkpoints)")
            case .start(let reason): (settings.cursorStart, "cursor_start (\(reason))")
            }
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
            + "\(mapped.count) row(s) after \(settings.cursorColumn) \(cursor), bound from \(boundNote)"
            + (complete ? "" : " (the first \(maxRows))")
            + (mapped.last.map { "; the last row's cursor: \($0.cursor)" } ?? "")
        return PulledOnce(summary: summary, frames: frames)
    }
}
