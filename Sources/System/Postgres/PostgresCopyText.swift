/// Rows in the text format of `COPY … FROM STDIN`, built byte by byte: fields separated by
/// tabs, each row ended by a newline, NULL as `\N`, and backslash, tab, newline and carriage
/// return escaped with a backslash (PostgreSQL's documentation of COPY, "Text Format").
public struct PostgresCopyText: Sendable {
    /// The rows so far, ready for ``PostgresConnection/copyIn(_:data:)``.
    public private(set) var bytes: [UInt8] = []
    private var rowStarted = false

    /// An empty buffer with room for about `capacity` bytes.
    public init(capacity: Int = 0) {
        bytes.reserveCapacity(capacity)
    }

    /// Adds a text field; nil is NULL.
    public mutating func append(_ text: String?) {
        separate()
        guard var text else {
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(UInt8(ascii: "N"))
            return
        }
        text.withUTF8 { appendEscaped($0) }
    }

    /// Adds an integer field.
    public mutating func append(_ value: Int64) {
        separate()
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Ends the current row.
    public mutating func endRow() {
        bytes.append(UInt8(ascii: "\n"))
        rowStarted = false
    }

    private mutating func separate() {
        if rowStarted { bytes.append(UInt8(ascii: "\t")) }
        rowStarted = true
    }

    /// Copies runs of plain bytes whole; only the four special bytes are escaped.
    private mutating func appendEscaped(_ text: UnsafeBufferPointer<UInt8>) {
        var runStart = 0
        for index in text.indices {
            let escaped: UInt8
            switch text[index] {
            case UInt8(ascii: "\\"): escaped = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escaped = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escaped = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escaped = UInt8(ascii: "r")
            default: continue
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart..<index]))
            bytes.append(UInt8(ascii: "\\"))
            bytes.append(escaped)
            runStart = index + 1
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[runStart...]))
    }
}
