import Configuration
import Foundation
import Logging
import NIOCore
import NIOPosix
import ODBC
import Timing

/// `transport = "sql-poll"`: runs the feed's query through ODBC every `interval`, bound to the
/// cursor, and hands each row over as a frame (`format = "sql"`: a CSV line of the mapped
/// columns, which the csv decoder reads as a `csv` feed maps its columns).
///
/// * The cursor is the `cursor_column` value of the last row read. Each row's frame carries the
///   value a restart may resume from (``SQLPollRows/Row/resume``) in its position; the pipeline
///   commits that position in `feed_checkpoints` in the same transaction as the row's effects,
///   so a restart resumes exactly after the last committed row: nothing skipped, and at most the
///   rest of one group of equal cursor values read again (a row read twice changes nothing).
/// * `interval` runs from the end of one poll to the next query. A poll that hit the row limit
///   (``maxRows``) is followed at once by the next.
/// * Time zones are explicit: a timestamp printed with an offset is converted to the zone the
///   decoder reads local times in (``SQLPollTime``); one printed without is a local time in that
///   zone (`options.timezone`, default the airport's). psqlODBC prints a `timestamptz` without
///   its offset, in the session's zone: set it in the dsn (`ConnSettings={SET TIME ZONE
///   'Europe/Zurich'}`) or select the column as text (`etd::text` keeps the offset).
/// * ODBC blocks: the connection lives on a thread of its own, and a stop does not wait for a
///   query in flight (it ends on that thread, then the connection closes). A database that is down, a lost
///   connection or a refused query is logged once, retried with backoff (1 s to 1 min), and its
///   end logged once; the feed counts as up while its last poll succeeded.
public struct SQLPollFeed: Sendable {
    public let config: FeedConfig
    public let sink: FrameSink
    public let logger: Logger
    let settings: SQLPollSettings
    let rows: SQLPollRows
    /// The cursor committed before a restart, nil when there is none yet (`cursor_start`).
    private let committedCursor: String?
    /// Rows read by one query at most; the rest comes with the next, at once.
    public var maxRows = 10_000
    public var backoff = RetryBackoff(initial: .seconds(1), maximum: .seconds(60))

    /// - Parameters:
    ///   - zone: the zone the feed's csv decoder reads local times in (`options.timezone`, else
    ///     the airport's): timestamps with an offset are converted to it.
    ///   - cursor: the resume value the last committed row of this feed left in
    ///     `feed_checkpoints`, if any.
    public init(config: FeedConfig, sink: FrameSink, logger: Logger, zone: TimeZone, resumingAfter cursor: String?) throws(SQLPollError) {
        guard let settings = config.sqlPoll else { throw SQLPollError("feed \(config.name) is not a sql-poll feed") }
        self.config = config
        self.sink = sink
        self.logger = logger
        self.settings = settings
        self.rows = SQLPollRows(columns: settings.columns, cursorColumn: settings.cursorColumn, options: config.options, zone: zone)
        self.committedCursor = cursor
    }

    /// What `check-config` verifies before the feed starts: the password file can be read.
    /// (The dsn and the query meet the database only at the first poll; `poll-once` tries them.)
    public static func check(_ config: FeedConfig) throws(PullFeedCheckError) {
        guard let settings = config.sqlPoll else { return }
        do {
            _ = try SecretFile.read(path: settings.passwordFile, credential: "sql-poll password")
        } catch {
            throw PullFeedCheckError(feed: config.name, key: "password_file", "\(error)")
        }
    }

    /// Polls until the task is cancelled or the pipeline stops taking frames. Throws only when
    /// the password file cannot be read.
    public func run() async throws {
        let password = try SecretFile.read(path: settings.passwordFile, credential: "sql-poll password")
        let session = SQLPollSession(settings: settings, password: password)
        defer { session.shutdown() }
        var cursor = committedCursor ?? settings.cursorStart
        var backoff = backoff
        var failing = false
        var connected = false
        defer { if connected { sink.counters.connectionClosed() } }
        logger.info(
            "feed polling a database view", metadata: ["feed": "\(config.name)", "dsn": "\(ODBCConnection.redacted(settings.dsn))",
                                                      "cursor": "\(cursor)"])
        while !Task.isCancelled {
            let polledAt = WallClock.milliseconds
            sink.counters.pull.polled()
            let outcome: SQLPollSession.Outcome
            let mapped: [SQLPollRows.Row]
            let complete: Bool
            do {
                outcome = try await session.poll(after: cursor, maxRows: maxRows)
                complete = outcome.result.rows.count < maxRows
                // A view without the columns the configuration names fails the same way each
                // time until someone fixes one or the other: logged and retried like an outage.
                mapped = try rows.rows(of: outcome.result, after: cursor, complete: complete)
            } catch is CancellationError {
                return  // a stop does not wait for the query: it finishes on its thread, then the connection closes
            } catch {
                sink.counters.pull.failed("\(error)")
                if connected {
                    // A failed poll drops the connection: the next one starts afresh.
                    connected = false
                    sink.counters.connectionClosed()
                }
                if !failing {
                    logger.error("sql-poll feed cannot poll; retrying with backoff", metadata: ["feed": "\(config.name)", "error": "\(error)"])
                    failing = true
                }
                try await Task.sleep(for: backoff.nextDelay())
                continue
            }
            if !connected {
                connected = true
                sink.counters.connectionOpened()
                if outcome.reconnected && failing { sink.counters.reconnected() }
            }
            if failing {
                logger.notice("sql-poll feed polling again", metadata: ["feed": "\(config.name)", "after": "\(backoff.failures) failures"])
                failing = false
            }
            backoff.reset()
            sink.counters.pull.succeeded(at: WallClock.milliseconds)
            if mapped.isEmpty { sink.counters.pull.answeredUnchanged() }
            for (index, row) in mapped.enumerated() {
                let frame = Frame(
                    feed: config.name, position: .poll(at: polledAt, tag: row.resume, offset: Int64(index)),
                    bytes: settings.csvLine(row.values), receivedAtMilliseconds: WallClock.milliseconds)
                guard await sink.deliver(frame) else { return }
            }
            cursor = Self.nextCursor(after: cursor, rows: mapped, complete: complete)
            if !complete, cursor != mapped.last?.cursor {
                continue  // more rows are waiting: the next page now
            }
            if !complete {
                logger.warning(
                    "sql-poll feed: more than max rows share one cursor value; moving past them",
                    metadata: ["feed": "\(config.name)", "cursor": "\(cursor)", "rows": "\(maxRows)"])
                continue
            }
            try await Task.sleep(for: settings.interval)
        }
    }

    /// The cursor of the next poll: the last row's value when the result was read to its end;
    /// after a cut result, the value before the last row's group (read again whole), unless
    /// the whole page is one group (then past it: else the feed would read it for ever).
    static func nextCursor(after cursor: String, rows: [SQLPollRows.Row], complete: Bool) -> String {
        guard let last = rows.last else { return cursor }
        if complete || last.resume == cursor { return last.cursor }
        return last.resume
    }
}

/// The ODBC connection and prepared query of one `sql-poll` feed, on a thread of its own.
///
/// `@unchecked Sendable`: `connection` and `statement` are only touched by work submitted to
/// `loop`, one piece at a time, on the loop's one thread.
final class SQLPollSession: @unchecked Sendable {
    struct Outcome: Sendable {
        var result: ODBCResult
        /// A new connection was opened for this poll.
        var reconnected: Bool
    }

    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    private let loop: any EventLoop
    private let settings: SQLPollSettings
    private let password: String?
    private var connection: ODBCConnection?
    private var statement: ODBCStatement?

    init(settings: SQLPollSettings, password: String?) {
        self.settings = settings
        self.password = password
        loop = group.next()
    }

    /// Runs the query bound to `cursor`, connecting (and preparing) first when needed; a failure
    /// drops the connection, so the next poll starts afresh. Throws `CancellationError` at once
    /// when the task is cancelled, the query still running on the session's thread.
    func poll(after cursor: String, maxRows: Int) async throws -> Outcome {
        try await loop.submit { () throws -> Outcome in
            var fresh = false
            do {
                if self.statement == nil {
                    self.connection?.close()
                    let connection = try ODBCConnection(
                        connectionString: self.settings.dsn, password: self.password, loginTimeout: self.settings.timeout)
                    self.connection = connection
                    self.statement = try connection.prepare(self.settings.query, timeout: self.settings.timeout)
                    fresh = true
                }
                guard let statement = self.statement else { throw SQLPollError("no prepared statement") }
                return Outcome(result: try statement.execute([cursor], maxRows: maxRows), reconnected: fresh)
            } catch {
                self.statement = nil
                self.connection?.close()
                self.connection = nil
                throw error
            }
        }.valueUnlessCancelled()
    }

    /// Closes the connection and stops the thread.
    func shutdown() {
        loop.execute {
            self.statement = nil
            self.connection?.close()
            self.connection = nil
        }
        group.shutdownGracefully { _ in }
    }
}
