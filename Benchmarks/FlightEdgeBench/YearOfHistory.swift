import AirportSimulator
import FeedFormats
import FlightModel
import Foundation
import HistoryStore
import Logging
import Postgres
import PostgresSupport

/// A year of a 1,500-flight airport's history, written the way the daemon writes it: 365
/// simulated days (`AirportDay`, one seed each), merged by the state engine and committed by
/// `HistoryWriter.commit` (history rows by COPY, flights upserted, events into the outbox) into
/// a fresh database migrated by the gateway's own migrator. Each row is received at its
/// message's simulated time, the last day ending about now, so retention finds it as old as it
/// would be at an airport. The outbox holds what its own retention leaves: the events of the
/// last 7 days, acknowledged (`markPublished`).
enum YearOfHistory {
    /// The bench's own database: no test or other run uses this name.
    static let database = "fe_bench_year"
    static let flightsPerDay = 1500
    /// Events older than this are gone from the outbox (`outbox_retention_days`, default 7).
    static let outboxDays = 7
    /// Frames per committed batch, as a resynchronisation burst would make them.
    static let framesPerBatch = 4000

    struct Result {
        var url: String
        var days: Int
        var updates: Int
        var loadSeconds: Double
        var tables: [TableSize]
        /// Day `i`'s first message, seconds since 1970 (its flights are scheduled from 6 h later).
        var dayStarts: [Int64]
    }

    /// The on-disk size of one table after the load and `VACUUM ANALYZE`.
    struct TableSize {
        var name: String
        var rows: Int64
        var heap: Int64
        var indexes: Int64
        var toast: Int64
        var total: Int64
    }

    /// Loads `days` days ending about now into a fresh `fe_bench_year`.
    static func load(_ environment: BenchEnvironment, days: Int) async throws -> Result {
        let url = try environment.freshDatabase(database)
        var logger = Logger(label: "flightedge-bench")
        logger.logLevel = .warning
        let writer = HistoryWriter(connector: DatabaseConnector(conninfo: url, password: nil, logger: logger), logger: logger)
        _ = try await writer.start()
        // Day i opens 24 h after day i-1; the last opens a day and 20 minutes before now, so
        // its messages end about now, and a retention window of whole days run within 20
        // minutes of the load cuts between two days.
        let clock = Int64(Date().timeIntervalSince1970)
        let anchor = clock - clock % 60 + 20 * 60 - 86_400
        let dayStarts = (0..<days).map { anchor - Int64(days - 1 - $0) * 86_400 }
        let started = now()
        var updates = 0
        // The next day is simulated and merged on the other core while this one commits.
        var next = Task.detached { day(0, start: dayStarts[0], events: days <= outboxDays) }
        for index in 0..<days {
            let batches = await next.value
            if index + 1 < days {
                let start = dayStarts[index + 1]
                let events = index + 1 >= days - outboxDays
                next = Task.detached { day(index + 1, start: start, events: events) }
            }
            for batch in batches.batches {
                let committed = try await writer.commit(batch)
                let ids = committed.outboxIDs.compactMap { $0 }
                if !ids.isEmpty { try await writer.markPublished(ids) }
            }
            updates += batches.updates
            if (index + 1) % 30 == 0 {
                FileHandle.standardError.write(Data("  year: \(index + 1) days in \(Int(now() - started)) s\n".utf8))
            }
        }
        let connection = try PostgresConnection(conninfo: url, applicationName: "flightedge-bench")
        // As autovacuum leaves the tables some time after they were written.
        try connection.execute("VACUUM ANALYZE")
        let loadSeconds = now() - started
        return Result(url: url, days: days, updates: updates, loadSeconds: loadSeconds, tables: try sizes(connection), dayStarts: dayStarts)
    }

    /// Rows (counted) and bytes of every table of the schema, largest first.
    static func sizes(_ connection: PostgresConnection) throws -> [TableSize] {
        let sizes = try connection.query(
            """
            SELECT c.relname, pg_total_relation_size(c.oid), pg_indexes_size(c.oid),
                   CASE WHEN c.reltoastrelid = 0 THEN 0 ELSE pg_total_relation_size(c.reltoastrelid) END
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname = 'flightedge' AND c.relkind = 'r'
             ORDER BY pg_total_relation_size(c.oid) DESC
            """)
        return try sizes.rows.map { row in
            let name = row[0] ?? ""
            let number = { (index: Int) in row[index].flatMap { Int64($0) } ?? 0 }
            let rows = try connection.query("SELECT count(*) FROM flightedge.\(connection.quoteIdentifier(name))").rows.first?.first
            return TableSize(
                name: name, rows: rows.flatMap { $0.flatMap { Int64($0) } } ?? 0, heap: number(1) - number(2) - number(3),
                indexes: number(2), toast: number(3), total: number(1))
        }
    }

    /// One simulated day cut into the batches the pipeline would commit: every change, each
    /// touched flight's last state, and (when `events`) every event, each row received at
    /// its message's simulated time.
    private static func day(_ index: Int, start: Int64, events: Bool) -> (batches: [CommitBatch], updates: Int) {
        let messages = AirportDay(airport: "BEN", flights: flightsPerDay, seed: 1000 + UInt64(index), firstSchedule: start + 6 * 3600)
            .messages()
        let context = PayloadContext(airport: "BEN", zone: ZoneRules.named("Europe/Zurich") ?? .utc)
        var engine = StateEngine(airport: "BEN")
        var batches: [CommitBatch] = []
        var batch = CommitBatch()
        var touched: [String: FlightState] = [:]
        func close() {
            for state in touched.values {
                batch.flights.append(CommitBatch.FlightRow(benchState: state, context: context))
            }
            batches.append(batch)
            batch = CommitBatch()
            touched = [:]
        }
        for (number, message) in messages.enumerated() {
            let frame = FrameContext(
                feed: "aodb", receivedAt: Timestamp(millisecondsSinceEpoch: message.time * 1000))
            guard let update = try? JSONLinesDecoder().decode(Array(message.json.utf8), context: frame).first,
                let applied = engine.apply(update, receivedAt: frame.receivedAt)
            else { continue }
            let state = applied.state
            let received = frame.receivedAt.millisecondsSinceEpoch
            touched[state.key.flightID] = state
            for change in applied.changes {
                batch.appendChange(
                    flightID: state.key.flightID, seq: state.seq, field: change.field.name, oldJSON: change.old?.json,
                    newJSON: change.new?.json, feed: change.feed, sourceTime: update.sourceTime?.millisecondsSinceEpoch, receivedAt: received)
            }
            if events {
                for event in applied.events {
                    batch.outbox.append(CommitBatch.OutboxRow(
                        eventID: event.eventID, flightID: event.flightID, topic: "flightedge/BEN/events/\(event.kind.rawValue)",
                        payload: EventPayload.encode(
                            event, state: state, feed: update.feed, position: "tcp:127.0.0.1@\(number)", observedAt: frame.receivedAt,
                            context: context)))
                }
            }
            if (number + 1) % framesPerBatch == 0 { close() }
        }
        if !batch.changes.isEmpty { close() }
        return (batches, messages.count)
    }
}
