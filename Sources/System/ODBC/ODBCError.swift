/// An error from the ODBC driver manager or the site's driver, with the diagnostics
/// `SQLGetDiagRec` gave: the SQLSTATE and the driver's own message.
///
/// `description` never contains the connection string, so a password in it cannot leak.
public struct ODBCError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is. New codes can be added without breaking callers.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String {
            case connectFailed = "connect failed"
            case loginRefused = "login refused"
            case driverNotFound = "driver not found"
            case connectionLost = "connection lost"
            case statementFailed = "statement failed"
            case timedOut = "timed out"
            case unexpectedResult = "unexpected result"
        }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The database could not be reached (server down, address, network).
        public static let connectFailed = Code(.connectFailed)
        /// The database refused the user or password (SQLSTATE 28000).
        public static let loginRefused = Code(.loginRefused)
        /// The driver manager knows no such data source or driver (IM002, IM003): the DSN or
        /// `Driver=` of the connection string is wrong, or the driver is not installed.
        public static let driverNotFound = Code(.driverNotFound)
        /// An established connection broke (SQLSTATE class 08, the driver says it is dead).
        public static let connectionLost = Code(.connectionLost)
        /// The database refused a statement (syntax, a missing view, permissions); see
        /// ``ODBCError/sqlState``.
        public static let statementFailed = Code(.statementFailed)
        /// The login or a statement ran past its timeout (HYT00, HYT01).
        public static let timedOut = Code(.timedOut)
        /// The statement's shape was not what the caller needs (no result columns, parameters).
        public static let unexpectedResult = Code(.unexpectedResult)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What was being done and the driver's message(s).
    public var message: String
    /// The five-character SQLSTATE of the first diagnostic record, when there was one.
    public var sqlState: String?
    /// The driver's native error number of the first diagnostic record (0: none).
    public var nativeError: Int

    public init(code: Code, message: String, sqlState: String? = nil, nativeError: Int = 0) {
        self.code = code
        self.message = message
        self.sqlState = sqlState
        self.nativeError = nativeError
    }

    /// True when a new connection may succeed where this one failed: the database went away or
    /// could not be reached, as opposed to a refused statement or login.
    public var isConnectionProblem: Bool {
        code == .connectFailed || code == .connectionLost || code == .timedOut
    }

    public var description: String {
        if let sqlState { return "ODBC \(code): \(message) (SQLSTATE \(sqlState))" }
        return "ODBC \(code): \(message)"
    }
}
