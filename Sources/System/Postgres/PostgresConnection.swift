#if canImport(Glibc)
import Glibc
#endif
internal import CLibPQ

/// One libpq connection. It owns the `PGconn` and closes it exactly once, in `deinit`.
///
/// libpq blocks the calling thread, so a connection must be used from one thread at a time;
/// FlightEdge keeps each connection inside an actor that runs on a dedicated thread, never on
/// Swift's shared cooperative pool. All statements are parameterized: values travel apart from
/// the SQL text.
public final class PostgresConnection {
    private let handle: OpaquePointer
    /// Statements prepared on this connection (``query(_:_:prepared:)``, ``pipeline(_:prepared:)``):
    /// their server-side names by SQL text.
    private var preparedNames: [String: String] = [:]
    private var preparedCount = 0

    /// How many statements one connection keeps prepared; beyond that a statement asked to be
    /// prepared runs unnamed (parsed and planned each time), so SQL built at run time cannot
    /// grow the server's memory without bound.
    public static let preparedLimit = 128

    /// Connects, blocking until the server answers or `connect_timeout` passes.
    ///
    /// - Parameters:
    ///   - conninfo: any libpq connection string: a URL (`postgresql://user@host:5432/db`) or
    ///     `key=value` pairs.
    ///   - password: a password read from a file or a systemd credential; it overrides one in
    ///     `conninfo` and is never logged.
    ///   - applicationName: shown in `pg_stat_activity`, so a DBA can tell who is connected.
    public init(conninfo: String, password: String? = nil, applicationName: String = "flightedge") throws(PostgresError) {
        var keywords = ["dbname", "application_name", "connect_timeout"]
        var values = [conninfo, applicationName, "5"]
        if let password {
            keywords.append("password")
            values.append(password)
        }
        let connection = withCStringArray(keywords) { keywordPointers in
            withCStringArray(values) { valuePointers in
                PQconnectdbParams(keywordPointers, valuePointers, 1)
            }
        }
        guard let connection else {
            throw PostgresError(code: .connectionFailed, message: "libpq could not allocate a connection")
        }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw PostgresError(code: .connectionFailed, message: message)
        }
        // Server notices ("relation already exists, skipping") are not errors; libpq would
        // print them to stderr, in the middle of the daemon's structured log.
        PQsetNoticeProcessor(connection, { _, _ in }, nil)
        self.handle = connection
    }

    deinit {
        PQfinish(handle)
    }

    /// True while libpq believes the connection is usable.
    public var isConnected: Bool { PQstatus(handle) == CONNECTION_OK }

    /// The server's version as an integer, e.g. 150018 for 15.18.
    public var serverVersion: Int { Int(PQserverVersion(handle)) }

    /// Runs one parameterized statement (`$1`, `$2`, …) and returns its rows.
    ///
    /// `prepared`: parse it once per connection and keep it (a named prepared statement), so
    /// that each later run skips the parse and, once PostgreSQL settles on a generic plan, the
    /// planning: for the statements a hot path runs thousands of times a second with the same
    /// text. Results are the same either way.
    @discardableResult
    public func query(_ sql: String, _ parameters: [PostgresValue] = [], prepared: Bool = false) throws(PostgresError) -> PostgresResult {
        if prepared, let name = try preparedName(for: sql, parameterCount: parameters.count) {
            let result = withParameters(parameters) { count, values, lengths, formats in
                PQexecPrepared(handle, name, count, values, lengths, formats, 0)
            }
            do throws(PostgresError) {
                return try consume(result, context: .queryFailed)
            } catch {
                forgetPreparedIfGone(error)
                throw error
            }
        }
        let result = withParameters(parameters) { count, values, lengths, formats in
            PQexecParams(handle, sql, count, nil, values, lengths, formats, 0)
        }
        return try consume(result, context: .queryFailed)
    }

    /// Runs SQL text that may hold several statements and no parameters (migrations, `BEGIN`).
    @discardableResult
    public func execute(_ sql: String) throws(PostgresError) -> PostgresResult {
        try consume(PQexec(handle, sql), context: .queryFailed)
    }

    /// Streams `data` to a `COPY … FROM STDIN` statement and returns the number of rows copied.
    ///
    /// `data` must already be in the format the statement names (text format by default:
    /// tab-separated, `\N` for NULL, backslash escapes; ``PostgresCopyBinary`` for
    /// `FORMAT binary`).
    @discardableResult
    public func copyIn(_ sql: String, data: [UInt8]) throws(PostgresError) -> Int {
        let start = PQexec(handle, sql)
        guard let start, PQresultStatus(start) == PGRES_COPY_IN else {
            _ = try consume(start, context: .copyFailed)
            throw PostgresError(code: .copyFailed, message: "the statement did not start a COPY FROM STDIN")
        }
        PQclear(start)
        let sent = data.withUnsafeBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress, buffer.count > 0 else { return 1 }
            return base.withMemoryRebound(to: CChar.self, capacity: buffer.count) {
                PQputCopyData(handle, $0, Int32(buffer.count))
            }
        }
        let ended = PQputCopyEnd(handle, sent == 1 ? nil : "client could not send the data")
        guard sent == 1, ended == 1 else {
            throw PostgresError(code: isConnected ? .copyFailed : .connectionLost, message: lastErrorMessage)
        }
        var copied = 0
        var firstError: PostgresError?
        while let result = PQgetResult(handle) {
            do throws(PostgresError) {
                copied += try consume(result, context: .copyFailed).affectedRows
            } catch {
                firstError = firstError ?? error
            }
        }
        if let firstError { throw firstError }
        return copied
    }

    /// Sends every statement in one round trip using libpq's pipeline mode, then waits for
    /// all results. When one statement fails, the ones after it are skipped by the server and
    /// the first failure is thrown; wrap the statements in `BEGIN`/`COMMIT` for atomicity.
    ///
    /// `prepared`: the statements with parameters run as named prepared statements (see
    /// ``query(_:_:prepared:)``); one not prepared yet is prepared in the same round trip.
    @discardableResult
    public func pipeline(
        _ statements: [(sql: String, parameters: [PostgresValue])], prepared: Bool = false
    ) throws(PostgresError) -> [PostgresResult] {
        guard PQenterPipelineMode(handle) == 1 else {
            throw PostgresError(code: .pipelineFailed, message: lastErrorMessage)
        }
        defer { _ = PQexitPipelineMode(handle) }
        // The statements prepared in this round trip, by the index of their prepare's result
        // among all results: their names are kept only once the server confirmed them.
        var preparing: [Int: (name: String, sql: String)] = [:]
        var sentCount = 0
        for statement in statements {
            var name: String?
            if prepared, !statement.parameters.isEmpty {
                if let known = preparedNames[statement.sql] {
                    name = known
                } else if preparedNames.count < Self.preparedLimit {
                    let fresh = nextPreparedName()
                    guard PQsendPrepare(handle, fresh, statement.sql, Int32(statement.parameters.count), nil) == 1 else {
                        throw PostgresError(code: isConnected ? .pipelineFailed : .connectionLost, message: lastErrorMessage)
                    }
                    preparing[sentCount] = (fresh, statement.sql)
                    sentCount += 1
                    name = fresh
                }
            }
            let sent = withParameters(statement.parameters) { count, values, lengths, formats in
                if let name {
                    PQsendQueryPrepared(handle, name, count, values, lengths, formats, 0)
                } else {
                    PQsendQueryParams(handle, statement.sql, count, nil, values, lengths, formats, 0)
                }
            }
            guard sent == 1 else {
                throw PostgresError(code: isConnected ? .pipelineFailed : .connectionLost, message: lastErrorMessage)
            }
            sentCount += 1
        }
        guard PQpipelineSync(handle) == 1 else {
            throw PostgresError(code: .connectionLost, message: lastErrorMessage)
        }
        var results: [PostgresResult] = []
        results.reserveCapacity(statements.count)
        var firstError: PostgresError?
        var received = 0
        // Each statement yields its result followed by a NULL; the sync point ends the pipeline.
        while true {
            guard let result = PQgetResult(handle) else {
                if !isConnected {
                    throw PostgresError(code: .connectionLost, message: lastErrorMessage)
                }
                continue
            }
            let status = PQresultStatus(result)
            if status == PGRES_PIPELINE_SYNC {
                PQclear(result)
                break
            }
            let index = received
            received += 1
            if let statement = preparing[index] {
                // A prepare's own result: kept only when the server made the statement.
                if status == PGRES_COMMAND_OK {
                    preparedNames[statement.sql] = statement.name
                } else if status != PGRES_PIPELINE_ABORTED {
                    do throws(PostgresError) {
                        _ = try consume(result, context: .queryFailed)
                    } catch {
                        firstError = firstError ?? error
                    }
                    continue
                }
                PQclear(result)
                continue
            }
            if status == PGRES_PIPELINE_ABORTED {
                PQclear(result)
                continue
            }
            do throws(PostgresError) {
                results.append(try consume(result, context: .queryFailed))
            } catch {
                forgetPreparedIfGone(error)
                firstError = firstError ?? error
            }
        }
        if let firstError {
            // An explicit transaction stays open in the failed state after the sync: end it,
            // so the connection is usable again.
            _ = PQexitPipelineMode(handle)
            rollbackOpenTransaction()
            throw firstError
        }
        return results
    }

    /// Rolls back the transaction the connection is in, if any (after a statement failed inside
    /// it, the connection refuses everything else until then). Errors are ignored: a lost
    /// connection has no transaction left.
    public func rollbackOpenTransaction() {
        if PQtransactionStatus(handle) != PQTRANS_IDLE, let rollback = PQexec(handle, "ROLLBACK") {
            PQclear(rollback)
        }
    }

    /// Quotes an identifier (a table or database name built at run time) with `PQescapeIdentifier`.
    public func quoteIdentifier(_ identifier: String) -> String {
        let utf8Count = identifier.utf8.count
        guard let escaped = PQescapeIdentifier(handle, identifier, utf8Count) else {
            return "\"" + identifier.replacingAll("\"", with: "\"\"") + "\""
        }
        defer { PQfreemem(escaped) }
        return String(cString: escaped)
    }

    // MARK: - Internals

    private func nextPreparedName() -> String {
        preparedCount += 1
        return "fe_\(preparedCount)"
    }

    /// The name of `sql` prepared on this connection, preparing it now if need be; nil when
    /// the connection keeps ``preparedLimit`` statements already.
    private func preparedName(for sql: String, parameterCount: Int) throws(PostgresError) -> String? {
        if let known = preparedNames[sql] { return known }
        guard preparedNames.count < Self.preparedLimit else { return nil }
        let name = nextPreparedName()
        _ = try consume(PQprepare(handle, name, sql, Int32(parameterCount), nil), context: .queryFailed)
        preparedNames[sql] = name
        return name
    }

    /// After a prepared statement failed because the server no longer has it or cannot reuse its
    /// plan (``PostgresError/isStalePreparedStatement``), every name is forgotten: the next run
    /// prepares afresh. The failed call itself still throws: the caller runs it again.
    private func forgetPreparedIfGone(_ error: PostgresError) {
        guard error.isStalePreparedStatement else { return }
        if error.sqlState == "0A000", PQtransactionStatus(handle) == PQTRANS_IDLE, let result = PQexec(handle, "DEALLOCATE ALL") {
            PQclear(result)
        }
        preparedNames.removeAll()
    }

    private var lastErrorMessage: String {
        String(cString: PQerrorMessage(handle))
    }

    /// Checks a result, copies it out and frees it.
    private func consume(_ result: OpaquePointer?, context: PostgresError.Code) throws(PostgresError) -> PostgresResult {
        guard let result else {
            throw PostgresError(code: isConnected ? context : .connectionLost, message: lastErrorMessage)
        }
        defer { PQclear(result) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY, PGRES_SINGLE_TUPLE:
            return PostgresResult(copying: result)
        default:
            let message = String(cString: PQresultErrorMessage(result))
            let sqlStatePointer = PQresultErrorField(result, Int32(UInt8(ascii: "C")))
            let sqlState = sqlStatePointer.map { String(cString: $0) }
            let code: PostgresError.Code = isConnected ? context : .connectionLost
            throw PostgresError(code: code, message: message.isEmpty ? lastErrorMessage : message, sqlState: sqlState)
        }
    }

    /// A NUL-terminated C copy of a text parameter's bytes; freed by `withParameters`.
    private static func copy(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CChar> {
        let pointer = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count + 1)
        if let base = bytes.baseAddress, bytes.count > 0 {
            UnsafeMutableRawPointer(pointer).copyMemory(from: base, byteCount: bytes.count)
        }
        pointer[bytes.count] = 0
        return pointer
    }

    /// Runs `body` with libpq's parameter arrays. Text goes as a NUL-terminated copy (libpq
    /// reads it up to its NUL); binary parameters as the array's own storage, pinned for the
    /// call: a batch's `jsonb[]` is megabytes, and a copy of it cost a page-faulted `mmap` and a
    /// `memcpy` per commit.
    private func withParameters<Result>(
        _ parameters: [PostgresValue],
        _ body: (Int32, UnsafePointer<UnsafePointer<CChar>?>?, UnsafePointer<Int32>?, UnsafePointer<Int32>?) -> Result
    ) -> Result {
        if parameters.isEmpty { return body(0, nil, nil, nil) }
        var values = [UnsafePointer<CChar>?](repeating: nil, count: parameters.count)
        var lengths = [Int32](repeating: 0, count: parameters.count)
        var formats = [Int32](repeating: 0, count: parameters.count)
        var copies: [UnsafeMutablePointer<CChar>] = []
        defer { for pointer in copies { pointer.deallocate() } }
        for (index, parameter) in parameters.enumerated() {
            switch parameter {
            case .null:
                break
            case .text(var text):
                let pointer = text.withUTF8 { Self.copy($0) }
                copies.append(pointer)
                (values[index], lengths[index]) = (UnsafePointer(pointer), Int32(text.utf8.count))
            case .encodedText(let bytes):
                let pointer = bytes.withUnsafeBufferPointer { Self.copy($0) }
                copies.append(pointer)
                (values[index], lengths[index]) = (UnsafePointer(pointer), Int32(bytes.count))
            case .bytes(let bytes):
                lengths[index] = Int32(bytes.count)
                formats[index] = 1
            }
        }
        return Self.pinningBinary(parameters, from: 0, into: &values) { values in
            lengths.withUnsafeBufferPointer { lengthPointer in
                formats.withUnsafeBufferPointer { formatPointer in
                    body(Int32(parameters.count), values, lengthPointer.baseAddress, formatPointer.baseAddress)
                }
            }
        }
    }

    /// Points `values` at each binary parameter's storage from `index` on, each pinned while
    /// the ones after it are, then runs `body` with all of them.
    private static func pinningBinary<Result>(
        _ parameters: [PostgresValue], from index: Int, into values: inout [UnsafePointer<CChar>?],
        _ body: (UnsafePointer<UnsafePointer<CChar>?>?) -> Result
    ) -> Result {
        guard index < parameters.count else { return values.withUnsafeBufferPointer { body($0.baseAddress) } }
        guard case .bytes(let bytes) = parameters[index] else {
            return pinningBinary(parameters, from: index + 1, into: &values, body)
        }
        return bytes.withUnsafeBytes { raw in
            // A NULL pointer would be SQL NULL: an empty value points at a static byte instead.
            values[index] = UnsafeRawPointer(raw.baseAddress ?? UnsafeRawPointer(Self.empty.utf8Start))
                .assumingMemoryBound(to: CChar.self)
            return pinningBinary(parameters, from: index + 1, into: &values, body)
        }
    }

    /// What an empty binary parameter points at (libpq reads none of it).
    private static let empty: StaticString = ""
}

/// Runs `body` with a NULL-terminated array of C strings that live for the call.
private func withCStringArray<Result>(
    _ strings: [String], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> Result
) -> Result {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: UnsafePointer<CChar>?.self) { body($0.baseAddress!) }
    }
}

extension String {
    func replacingAll(_ target: String, with replacement: String) -> String {
        split(separator: Character(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
