import Configuration
import FlightModel
import Foundation
import ODBC

/// How a `sql-poll` feed turns the rows of one poll into frames, purely: the mapped columns'
/// values (NULL absent, timestamps made explicit by ``SQLPollTime``), the row's cursor value,
/// and the cursor a restart may resume from once the row is committed.
struct SQLPollRows: Sendable {
    /// One row, ready for `SQLPollSettings.csvLine`.
    struct Row: Sendable, Equatable {
        /// The mapped columns' values by the names the configuration uses; nil for NULL.
        var values: [String: String?]
        /// This row's value of the cursor column.
        var cursor: String
        /// The highest cursor value every row up to this one covers: the value of the last row
        /// before this one's group of equal cursor values (or the poll's own cursor). Committed
        /// with the row, so a restart that resumes `> resume` reads the rest of a group again
        /// (a row read twice changes nothing) and never skips one.
        var resume: String
    }

    /// The result columns the `columns` mapping reads.
    let columns: [String]
    let cursorColumn: String
    /// Lower-cased names of the columns mapped to time fields.
    let timeColumns: Set<String>
    let time: SQLPollTime

    /// - Parameters:
    ///   - columns: the result columns the mapping reads (`SQLPollSettings.columns`).
    ///   - options: the feed's `[feeds.options]` (`columns`, `time_format`).
    ///   - zone: the zone the csv decoder reads local times in.
    init(columns: [String], cursorColumn: String, options: [String: ConfigValue], zone: TimeZone) {
        self.columns = columns
        self.cursorColumn = cursorColumn
        var timeColumns: Set<String> = []
        for (field, column) in options["columns"]?.table ?? [:] {
            if FlightField(name: field)?.kind == .time, let name = column.string { timeColumns.insert(name.lowercased()) }
        }
        self.timeColumns = timeColumns
        time = SQLPollTime(pattern: options["time_format"]?.string ?? "yyyy-MM-dd HH:mm", zone: zone)
    }

    /// The rows of `result`, a poll bound to `cursor`, `complete` when every row the query
    /// returned was read (no row limit cut it); throws when a column the feed needs is
    /// not in the result, or a row's cursor is NULL.
    func rows(of result: ODBCResult, after cursor: String, complete: Bool) throws(SQLPollError) -> [Row] {
        guard let cursorIndex = result.index(of: cursorColumn) else {
            throw SQLPollError("the query's result has no column \"\(cursorColumn)\" (cursor_column); it has: \(result.columns.joined(separator: ", "))")
        }
        var indexes: [(name: String, index: Int, isTime: Bool)] = []
        for column in columns {
            guard let index = result.index(of: column) else {
                throw SQLPollError("options.columns names \"\(column)\", which the query's result does not have; it has: \(result.columns.joined(separator: ", "))")
            }
            indexes.append((column, index, timeColumns.contains(column.lowercased())))
        }
        var rows: [Row] = []
        rows.reserveCapacity(result.rows.count)
        var resume = cursor
        var previous: String?
        for (number, values) in result.rows.enumerated() {
            guard let value = values[cursorIndex] else {
                throw SQLPollError("row \(number + 1) has NULL in the cursor column \"\(cursorColumn)\": the query must leave such rows out")
            }
            if let previous, previous != value { resume = previous }
            previous = value
            var mapped: [String: String?] = [:]
            for (name, index, isTime) in indexes {
                guard let text = values[index] else {
                    mapped[name] = .some(nil)
                    continue
                }
                mapped[name] = isTime ? (time.rewrite(text) ?? text) : text
            }
            rows.append(Row(values: mapped, cursor: value, resume: resume))
        }
        // Read to its end, the result holds the whole of the last row's group: once the last
        // row is committed, nothing with its value is left behind. (Only the last row: a commit
        // between two rows of the group must still read the rest of it again.)
        if complete, !rows.isEmpty { rows[rows.count - 1].resume = rows[rows.count - 1].cursor }
        return rows
    }
}

/// A pull feed (`sql-poll`, `amqp`) cannot be used as configured: its query, its result, or a file it reads.
public struct SQLPollError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
