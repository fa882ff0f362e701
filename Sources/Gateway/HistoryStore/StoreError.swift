import Postgres

/// What went wrong in the history store, in words an operator can act on, with PostgreSQL's
/// own reason and SQLSTATE kept as data.
///
/// Callers branch on ``code``; only the store knows PostgreSQL's error codes.
public struct StoreError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case unreachable = "database unreachable"
            case batchRefused = "batch refused"
            case queryFailed = "query failed"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// PostgreSQL could not be reached or the connection broke (tools that do not wait).
        public static let unreachable = Code(.unreachable)
        /// PostgreSQL refused a batch's data (a constraint, a value out of range): not an
        /// outage, so retrying the same batch would fail the same way.
        public static let batchRefused = Code(.batchRefused)
        /// A read failed for another reason (permissions, a schema not migrated).
        public static let queryFailed = Code(.queryFailed)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// What failed, for the log.
    public var message: String
    /// PostgreSQL's or libpq's own reason, trimmed.
    public var reason: String
    /// The five-character SQLSTATE, when the server sent one.
    public var sqlState: String?
    /// What libpq saw happen (`connection failed`, `query failed`, …).
    private var failure: String

    init(_ code: Code, _ message: String, cause: PostgresError) {
        self.code = code
        self.message = message
        self.reason = cause.message
        self.sqlState = cause.sqlState
        self.failure = cause.code.description
    }

    /// Wraps a PostgreSQL error met while doing `what`.
    static func wrapping(_ error: PostgresError, while what: String) -> StoreError {
        StoreError(error.isConnectionProblem ? .unreachable : .queryFailed, what, cause: error)
    }

    public var description: String {
        let state = sqlState.map { " (SQLSTATE \($0))" } ?? ""
        return "\(message): \(failure): \(reason)\(state)"
    }
}
