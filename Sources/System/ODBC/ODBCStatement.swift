internal import CODBC

/// A statement prepared once on an ``ODBCConnection`` and executed many times with new
/// parameter values (the `sql-poll` feed's query, its cursor bound to the one `?`).
public final class ODBCStatement {
    let connection: ODBCConnection
    let handle: SQLHSTMT
    /// The statement text, for messages.
    public let sql: String
    /// How many `?` the statement has.
    public let parameterCount: Int
    /// Each parameter's SQL type as the driver described it (`SQL_VARCHAR` when it cannot say),
    /// so a text value is converted by the driver to what the column holds (a timestamp).
    private let parameterTypes: [(type: SQLSMALLINT, size: SQLULEN, digits: SQLSMALLINT)]

    init(connection: ODBCConnection, sql: String, timeout: Duration?) throws(ODBCError) {
        self.connection = connection
        self.sql = sql
        var handle: SQLHANDLE?
        guard flightedge_odbc_succeeded(SQLAllocHandle(SQLSMALLINT(SQL_HANDLE_STMT), connection.handle, &handle)) != 0, let handle else {
            throw ODBCDiagnostics(handleType: SQLSMALLINT(SQL_HANDLE_DBC), handle: connection.handle)
                .error("allocating a statement on \(connection.target)", fallback: .connectionLost)
        }
        self.handle = handle
        if let timeout { _ = flightedge_odbc_set_query_timeout(handle, SQLULEN(ODBCConnection.seconds(timeout))) }
        var text = Array(sql.utf8)
        let rc = text.withUnsafeMutableBufferPointer { SQLPrepare(handle, $0.baseAddress, SQLINTEGER($0.count)) }
        guard flightedge_odbc_succeeded(rc) != 0 else {
            let error = ODBCDiagnostics(handleType: SQLSMALLINT(SQL_HANDLE_STMT), handle: handle)
                .error("preparing the query", fallback: .statementFailed)
            SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_STMT), handle)
            throw error
        }
        var count: SQLSMALLINT = 0
        _ = SQLNumParams(handle, &count)
        parameterCount = Int(count)
        var types: [(SQLSMALLINT, SQLULEN, SQLSMALLINT)] = []
        for number in 0..<max(0, Int(count)) {
            var type: SQLSMALLINT = 0
            var size: SQLULEN = 0
            var digits: SQLSMALLINT = 0
            var nullable: SQLSMALLINT = 0
            let described = SQLDescribeParam(handle, SQLUSMALLINT(number + 1), &type, &size, &digits, &nullable)
            if flightedge_odbc_succeeded(described) != 0 && type != 0 {
                types.append((type, size, digits))
            } else {
                types.append((SQLSMALLINT(SQL_VARCHAR), 0, 0))
            }
        }
        parameterTypes = types
    }

    deinit {
        // Disconnecting freed it already.
        if connection.isOpen { SQLFreeHandle(SQLSMALLINT(SQL_HANDLE_STMT), handle) }
    }

    /// Executes with `parameters` (one per `?`, as text the driver converts; nil is NULL) and
    /// reads the result, at most `maxRows` rows (nil: all). The cursor is closed before it
    /// returns, so the statement can run again at once.
    public func execute(_ parameters: [String?], maxRows: Int? = nil) throws(ODBCError) -> ODBCResult {
        guard parameters.count == parameterCount else {
            throw ODBCError(
                code: .unexpectedResult,
                message: "the query has \(parameterCount) parameter(s) (?), \(parameters.count) value(s) given")
        }
        // The bound buffers must live until SQLExecute returns: keep them in arrays held here.
        var buffers: [[UInt8]] = parameters.map { value -> [UInt8] in value.map { Array($0.utf8) + [0] } ?? [0] }
        var indicators: [SQLLEN] = parameters.map { value in value.map { SQLLEN($0.utf8.count) } ?? SQLLEN(SQL_NULL_DATA) }
        defer { _ = SQLFreeStmt(handle, SQLUSMALLINT(SQL_RESET_PARAMS)) }
        let rc: SQLRETURN = indicators.withUnsafeMutableBufferPointer { indicatorPointers -> SQLRETURN in
            var pointers: [UnsafeMutableBufferPointer<UInt8>] = []
            defer { for pointer in pointers { pointer.deallocate() } }
            for (index, buffer) in buffers.enumerated() {
                let copy = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: buffer.count)
                _ = copy.initialize(from: buffer)
                pointers.append(copy)
                let described = parameterTypes[index]
                let size = described.size > 0 ? described.size : SQLULEN(max(1, buffer.count - 1))
                let bound = SQLBindParameter(
                    handle, SQLUSMALLINT(index + 1), SQLSMALLINT(SQL_PARAM_INPUT), SQLSMALLINT(SQL_C_CHAR), described.type,
                    size, described.digits, copy.baseAddress, SQLLEN(buffer.count), indicatorPointers.baseAddress! + index)
                guard flightedge_odbc_succeeded(bound) != 0 else { return bound }
            }
            return SQLExecute(handle)
        }
        buffers.removeAll()
        guard flightedge_odbc_succeeded(rc) != 0 || rc == SQL_NO_DATA else {
            throw failure("running the query", fallback: .statementFailed)
        }
        defer { _ = SQLFreeStmt(handle, SQLUSMALLINT(SQL_CLOSE)) }
        return try readResult(maxRows: maxRows)
    }

    private func readResult(maxRows: Int?) throws(ODBCError) -> ODBCResult {
        var columnCount: SQLSMALLINT = 0
        guard flightedge_odbc_succeeded(SQLNumResultCols(handle, &columnCount)) != 0, columnCount > 0 else {
            throw ODBCError(code: .unexpectedResult, message: "the query returns no columns (it must be a SELECT)")
        }
        var names: [String] = []
        for number in 1...Int(columnCount) {
            var name = [SQLCHAR](repeating: 0, count: 256)
            var length: SQLSMALLINT = 0
            var type: SQLSMALLINT = 0
            var size: SQLULEN = 0
            var digits: SQLSMALLINT = 0
            var nullable: SQLSMALLINT = 0
            let rc = SQLDescribeCol(
                handle, SQLUSMALLINT(number), &name, SQLSMALLINT(name.count), &length, &type, &size, &digits, &nullable)
            guard flightedge_odbc_succeeded(rc) != 0 else { throw failure("describing column \(number)", fallback: .statementFailed) }
            names.append(String(decoding: name.prefix(min(Int(length), name.count - 1)), as: UTF8.self))
        }
        var rows: [[String?]] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while maxRows.map({ rows.count < $0 }) ?? true {
            let fetched = SQLFetch(handle)
            if fetched == SQL_NO_DATA { break }
            guard flightedge_odbc_succeeded(fetched) != 0 else { throw failure("fetching a row", fallback: .statementFailed) }
            var row: [String?] = []
            row.reserveCapacity(names.count)
            for number in 1...names.count {
                row.append(try value(column: number, chunk: &chunk))
            }
            rows.append(row)
        }
        return ODBCResult(columns: names, rows: rows)
    }

    /// One column of the current row as text (nil for NULL), read in chunks of any length.
    private func value(column number: Int, chunk: inout [UInt8]) throws(ODBCError) -> String? {
        var bytes: [UInt8] = []
        while true {
            var indicator: SQLLEN = 0
            let capacity = chunk.count
            let rc = chunk.withUnsafeMutableBytes { buffer in
                SQLGetData(handle, SQLUSMALLINT(number), SQLSMALLINT(SQL_C_CHAR), buffer.baseAddress, SQLLEN(capacity), &indicator)
            }
            if rc == SQL_NO_DATA { break }
            guard flightedge_odbc_succeeded(rc) != 0 else { throw failure("reading column \(number)", fallback: .statementFailed) }
            if indicator == SQLLEN(SQL_NULL_DATA) { return nil }
            // A full chunk holds capacity - 1 bytes and its terminating NUL; SQL_NO_TOTAL or a
            // length beyond that means more is waiting.
            let more = indicator == SQLLEN(SQL_NO_TOTAL) || indicator >= SQLLEN(capacity)
            let count = more ? capacity - 1 : Int(indicator)
            bytes.append(contentsOf: chunk.prefix(count))
            if !more { break }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func failure(_ doing: String, fallback: ODBCError.Code) -> ODBCError {
        var error = ODBCDiagnostics(handleType: SQLSMALLINT(SQL_HANDLE_STMT), handle: handle).error(doing, fallback: fallback)
        if error.code == .statementFailed && !connection.isConnected {
            error.code = .connectionLost
        }
        return error
    }
}
