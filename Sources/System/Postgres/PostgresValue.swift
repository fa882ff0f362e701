/// A statement parameter. Parameters are always sent separately from the SQL text
/// (`PQexecParams`), never spliced into it.
public enum PostgresValue: Sendable, Hashable {
    /// SQL `NULL`.
    case null
    /// A value in PostgreSQL's text representation (numbers, timestamps, JSON, text).
    case text(String)
    /// A value in text representation given as UTF-8 bytes (no NUL): what the array builders
    /// produce, passed to libpq without becoming a `String`.
    case encodedText([UInt8])
    /// Raw bytes for a `bytea` parameter, sent in binary format: NUL bytes and invalid UTF-8 are fine.
    case bytes([UInt8])
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByNilLiteral {
    public init(stringLiteral value: String) { self = .text(value) }
    public init(integerLiteral value: Int64) { self = .text(String(value)) }
    public init(nilLiteral: ()) { self = .null }

    /// A text value, or `NULL` for nil.
    public static func optional(_ value: String?) -> PostgresValue {
        value.map(PostgresValue.text) ?? .null
    }

    /// An integer parameter.
    public static func int(_ value: some BinaryInteger) -> PostgresValue { .text(String(value)) }
}
