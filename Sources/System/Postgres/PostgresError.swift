/// An error from PostgreSQL or from libpq, with the server's own message and SQLSTATE.
///
/// `description` is what an operator reads in the log; it never contains the connection
/// string, so a password in it cannot leak.
public struct PostgresError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case connectionFailed = "connection failed"
            case connectionLost = "connection lost"
            case queryFailed = "query failed"
            case copyFailed = "COPY failed"
            case pipelineFailed = "pipeline failed"
            case unexpectedResult = "unexpected result"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server could not be reached or refused the connection (address, auth, database).
        public static let connectionFailed = Code(.connectionFailed)
        /// An established connection broke (server restart, network).
        public static let connectionLost = Code(.connectionLost)
        /// The server rejected a statement; see ``PostgresError/sqlState``.
        public static let queryFailed = Code(.queryFailed)
        /// A `COPY … FROM STDIN` could not be sent or was rejected.
        public static let copyFailed = Code(.copyFailed)
        /// libpq's pipeline mode failed to send or sync.
        public static let pipelineFailed = Code(.pipelineFailed)
        /// The result had a shape the caller did not expect (column type, row count).
        public static let unexpectedResult = Code(.unexpectedResult)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// libpq's or the server's message, trimmed.
    public var message: String
    /// The five-character SQLSTATE from the server, when it sent one (e.g. `23505`).
    public var sqlState: String?

    public init(code: Code, message: String, sqlState: String? = nil) {
        self.code = code
        self.message = message.trimmingWhitespace()
        self.sqlState = sqlState
    }

    /// True when the failure is about the connection rather than the statement, so that a
    /// retry on a fresh connection can succeed (server restarting, network, admin shutdown).
    public var isConnectionProblem: Bool {
        if code == .connectionFailed || code == .connectionLost { return true }
        guard let sqlState else { return false }
        // Class 08: connection exception; 57P01-57P03: admin shutdown, crash shutdown, cannot connect now.
        return sqlState.hasPrefix("08") || sqlState == "57P01" || sqlState == "57P02" || sqlState == "57P03"
    }

    /// True when a statement this connection prepared is gone from the server (`26000`, e.g.
    /// after `DISCARD ALL`) or its plan cannot serve a table changed meanwhile (`0A000`, "cached
    /// plan must not change result type"). The connection has forgotten its statements by then
    /// and prepares them again: the same work run once more succeeds.
    public var isStalePreparedStatement: Bool {
        sqlState == "26000" || (sqlState == "0A000" && message.contains("cached plan must not change result type"))
    }

    public var description: String {
        if let sqlState {
            return "PostgreSQL \(code): \(message) (SQLSTATE \(sqlState))"
        }
        return "PostgreSQL \(code): \(message)"
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var scalars = Substring(self)
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        while let first = scalars.first, first.isWhitespace { scalars.removeFirst() }
        return String(scalars)
    }
}
