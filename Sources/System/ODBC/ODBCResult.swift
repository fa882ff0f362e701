/// The rows of one executed statement, copied out of the driver: every value as text (what
/// the driver prints: `2026-12-05 07:10:00`, `12.5`), NULL as nil.
public struct ODBCResult: Sendable, Equatable {
    /// The result columns' names, in order (as the driver reports them: PostgreSQL folds
    /// unquoted names to lower case).
    public var columns: [String]
    /// Each row's values, in column order.
    public var rows: [[String?]]

    public init(columns: [String], rows: [[String?]]) {
        self.columns = columns
        self.rows = rows
    }

    /// The position of the column called `name` (case-insensitive), nil when there is none.
    public func index(of name: String) -> Int? {
        columns.firstIndex(of: name) ?? columns.firstIndex { $0.lowercased() == name.lowercased() }
    }
}
