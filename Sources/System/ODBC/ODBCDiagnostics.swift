internal import CODBC

/// The diagnostic records ODBC keeps on a handle after a call that did not succeed.
struct ODBCDiagnostics {
    struct Record {
        var sqlState: String
        var nativeError: Int
        var message: String
    }

    var records: [Record] = []

    /// Reads every record of `handle` (at most 8: drivers repeat themselves).
    init(handleType: SQLSMALLINT, handle: SQLHANDLE?) {
        guard let handle else { return }
        var index: SQLSMALLINT = 1
        while index <= 8 {
            var state = [SQLCHAR](repeating: 0, count: 6)
            var native: SQLINTEGER = 0
            var text = [SQLCHAR](repeating: 0, count: 1024)
            var length: SQLSMALLINT = 0
            let rc = SQLGetDiagRec(handleType, handle, index, &state, &native, &text, SQLSMALLINT(text.count), &length)
            guard flightedge_odbc_succeeded(rc) != 0 else { break }
            let count = min(Int(length), text.count - 1)
            records.append(Record(
                sqlState: String(decoding: state.prefix(5), as: UTF8.self), nativeError: Int(native),
                message: Self.trimmed(String(decoding: text.prefix(count), as: UTF8.self))))
            index += 1
        }
    }

    /// The error for a failed call: `doing` says what was being done; the code follows the
    /// first record's SQLSTATE, or `fallback` when the SQLSTATE names nothing more precise.
    func error(_ doing: String, fallback: ODBCError.Code) -> ODBCError {
        let first = records.first
        let code: ODBCError.Code
        switch first?.sqlState {
        case let state? where state.hasPrefix("08") && fallback != .connectFailed: code = .connectionLost
        case "28000"?: code = .loginRefused
        case "IM002"?, "IM003"?: code = .driverNotFound
        // unixODBC's own words when the `Driver=` library cannot be loaded.
        case "01000"? where first?.message.contains("Can't open lib") == true: code = .driverNotFound
        case "HYT00"?, "HYT01"?: code = .timedOut
        default: code = fallback
        }
        // Drivers prefix their messages with "[unixODBC][Driver]…": keep the text after the
        // last bracket, which is what the database said.
        let texts = records.map { record in
            record.message.lastIndex(of: "]").map { String(record.message[record.message.index(after: $0)...]) } ?? record.message
        }
        var unique: [String] = []
        for text in texts where !text.isEmpty && !unique.contains(text) { unique.append(text) }
        let said = unique.isEmpty ? "no diagnostic from the driver" : unique.joined(separator: "; ")
        return ODBCError(code: code, message: "\(doing): \(said)", sqlState: first?.sqlState, nativeError: first?.nativeError ?? 0)
    }

    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text)
        while let last = scalars.last, last.isWhitespace { scalars.removeLast() }
        return String(scalars)
    }
}
