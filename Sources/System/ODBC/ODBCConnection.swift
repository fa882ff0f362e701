internal import CODBC

/// One ODBC connection through unixODBC's driver manager to the site's driver (psqlODBC,
/// Oracle, SQL Server…), named by a DSN or a connection string.
///
/// It owns its environment and connection handles and frees them exactly once. ODBC calls
/// block: use a connection from one thread at a time, off Swift's cooperative pool (the
/// `sql-poll` feed gives it a thread of its own).
public final class ODBCConnection {
    let environment: SQLHENV
    let handle: SQLHDBC
    private var connected = false
    /// The connection string without its password, for messages.
    public let target: String

    /// Connects with `connectionString` (`Driver=…;Server=…;Database=…;UID=…` or `DSN=…`),
    /// adding `password` as `PWD` (quoted, so any character may be in it); `loginTimeout`
    /// bounds the connect (whole seconds, at least 1).
    public init(connectionString: String, password: String? = nil, loginTimeout: Duration = .seconds(10)) throws(ODBCError) {
        target = Self.redacted(connectionString)
        var environment: SQLHANDLE?
        guard flightedge_odbc_succeeded(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_ENV), nil, &environment)) != 0, let environment else {
            throw ODBCError(code: .connectFailed, message: "\(target): cannot allocate an ODBC environment (is unixODBC installed?)")
        }
        self.environment = environment
        var handle: SQLHANDLE?
        guard flightedge_odbc_succeeded(flightedge_odbc_use_version3(environment)) != 0,
            flightedge_odbc_succeeded(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_DBC), environment, &handle)) != 0, let handle
        else {
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_ENV), environment)
            throw ODBCError(code: .connectFailed, message: "\(target): cannot allocate an ODBC connection handle")
        }
        self.handle = handle
        _ = flightedge_odbc_set_login_timeout(handle, SQLULEN(Self.seconds(loginTimeout)))
        var full = connectionString
        if let password {
            if !full.isEmpty && !full.hasSuffix(";") { full += ";" }
            full += "PWD={" + password.replacingAll("}", with: "}}") + "}"
        }
        var text = Array(full.utf8)
        let rc = text.withUnsafeMutableBufferPointer { buffer in
            SQLDriverConnect(
                handle, nil, buffer.baseAddress, SQLSMALLINT(buffer.count), nil, 0, nil, SQLUSMALLINT(SQL_DRIVER_NOPROMPT))
        }
        guard flightedge_odbc_succeeded(rc) != 0 else {
            let error = ODBCDiagnostics(handleType: SQLSMALLINT(SQL_HANDLE_DBC), handle: handle)
                .error("connecting to \(target)", fallback: .connectFailed)
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_DBC), handle)
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_ENV), environment)
            throw error
        }
        connected = true
    }

    deinit {
        close()
    }

    /// True until ``close()``: the handles are allocated (a statement frees its own only then).
    var isOpen: Bool { connected }

    /// False once the driver knows the connection is gone or ``close()`` was called.
    public var isConnected: Bool {
        connected && flightedge_odbc_connection_dead(handle) == 0
    }

    /// Prepares `sql` (its parameters written `?`) for repeated execution on this connection.
    public func prepare(_ sql: String, timeout: Duration? = nil) throws(ODBCError) -> ODBCStatement {
        try ODBCStatement(connection: self, sql: sql, timeout: timeout)
    }

    /// Disconnects and frees the handles; safe to call twice.
    public func close() {
        guard connected else { return }
        connected = false
        SQLDisconnect(handle)
        SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_DBC), handle)
        SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_ENV), environment)
    }

    static func seconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }

    /// The connection string with the value of `PWD` (and `Password`) cut out.
    public static func redacted(_ connectionString: String) -> String {
        connectionString.split(separator: ";", omittingEmptySubsequences: false).map { part -> String in
            let key = part.split(separator: "=", maxSplits: 1).first.map { $0.trimmingSpaces.lowercased() } ?? ""
            return key == "pwd" || key == "password" ? "\(key.uppercased())=…" : String(part)
        }.joined(separator: ";")
    }
}

extension Substring {
    var trimmingSpaces: String {
        var text = self
        while text.first == " " { text.removeFirst() }
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var result = ""
        for character in self { if character == target { result += replacement } else { result.append(character) } }
        return result
    }
}
