/// A TOML parser for configuration files that keeps the line of every key and table, so the
/// loader can say where a problem is.
///
/// It covers TOML 1.0 as people write configuration: comments, `[tables]`, `[[arrays.of.tables]]`
/// (a later `[feeds.options]` belongs to the last `[[feeds]]`), dotted keys, bare and quoted
/// keys, basic and literal strings (single- and multi-line, with escapes), integers (with `_`,
/// hexadecimal, octal, binary), floats, booleans, date-times (kept as text), arrays (multi-line,
/// trailing commas, comments) and inline tables (which, as in TOML 1.1, may span lines).
///
/// After a syntax error the parser skips to the next line that looks like a key or a table
/// header and goes on, so one run reports every broken line, not only the first.
public struct TOMLParser {
    /// A syntax error, with its line.
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        /// The 1-based line of the problem.
        public var line: Int
        /// What is wrong, e.g. `unterminated string`.
        public var message: String

        /// An error on `line` saying `message`.
        public init(line: Int, message: String) {
            self.line = line
            self.message = message
        }

        /// `line 4: unterminated string`
        public var description: String { "line \(line): \(message)" }
    }

    /// More syntax errors than this and the parser gives up: the file is probably not TOML.
    static let errorLimit = 20

    let bytes: [UInt8]
    var index = 0
    var line = 1
    private var root = TOMLTable(line: 1)
    /// Where `key = value` lines go: the last header's path; `nil` after a broken header, so
    /// that its keys do not land in the wrong table.
    private var currentPath: [String]? = []
    private var errors: [SyntaxError] = []

    private init(_ text: String) {
        bytes = Array(text.utf8)
    }

    /// Parses a whole document, or throws its first syntax error.
    public static func parse(_ text: String) throws(SyntaxError) -> TOMLTable {
        let result = parseRecovering(text)
        if let first = result.errors.first { throw first }
        return result.table
    }

    /// Parses a whole document and returns every syntax error found (at most one per line) with
    /// what could be read. When `errors` is not empty the table is incomplete.
    public static func parseRecovering(_ text: String) -> (table: TOMLTable, errors: [SyntaxError]) {
        var parser = TOMLParser(text)
        parser.document()
        return (parser.root, parser.errors)
    }

    // MARK: - Document structure

    private mutating func document() {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }  // a byte order mark, as some editors write
        while true {
            skipBlank()
            guard let byte = peek() else { return }
            do throws(SyntaxError) {
                switch byte {
                case UInt8(ascii: "\n"):
                    advance()
                case UInt8(ascii: "#"):
                    skipComment()
                case UInt8(ascii: "["):
                    try header()
                default:
                    try keyValue()
                }
            } catch {
                errors.append(error)
                guard errors.count < Self.errorLimit else { return }
                skipToNextStatement(after: error.line)
            }
        }
    }

    private mutating func header() throws(SyntaxError) {
        let headerLine = line
        currentPath = nil
        advance()
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { advance() }
        skipBlank()
        let path = try key()
        skipBlank()
        guard consume("]") else { throw fail("expected ']' to close the table header") }
        if isArray && !consume("]") { throw fail("expected ']]' to close the array-of-tables header") }
        if isArray {
            try appendArrayTable(path, line: headerLine)
        } else {
            try defineTable(path, line: headerLine)
        }
        currentPath = path
        try endOfLine()
    }

    private mutating func keyValue() throws(SyntaxError) {
        let keyLine = line
        let path = try key()
        skipBlank()
        guard consume("=") else {
            throw fail("expected '=' after the key \(path.joined(separator: "."))")
        }
        skipBlank()
        let value = try self.value()
        if let currentPath {
            try assign(TOMLNode(value, line: keyLine), at: currentPath + path)
        }
        try endOfLine()
    }

    private mutating func endOfLine() throws(SyntaxError) {
        skipBlank()
        guard let byte = peek() else { return }
        if byte == UInt8(ascii: "#") {
            skipComment()
            return
        }
        guard byte == UInt8(ascii: "\n") else { throw fail("unexpected text after the value") }
        advance()
    }

    /// After an error on `errorLine`: skips the rest of that line (or of the multi-line value
    /// that broke), then every line that is not a key, a table header, a comment or blank.
    private mutating func skipToNextStatement(after errorLine: Int) {
        while line <= errorLine, peek() != nil { skipRestOfLine() }
        while peek() != nil, !lineLooksLikeStatement() { skipRestOfLine() }
    }

    private mutating func skipRestOfLine() {
        while let byte = peek(), byte != UInt8(ascii: "\n") { advance() }
        if peek() != nil { advance() }
    }

    /// `key =`, `"key" =`, `a.b =`, `[table]`, `[[table]]`, a comment or a blank line.
    private func lineLooksLikeStatement() -> Bool {
        var probe = index
        func current() -> UInt8? { probe < bytes.count ? bytes[probe] : nil }
        func skipSpaces() {
            while let byte = current(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { probe += 1 }
        }
        func skipKey() -> Bool {
            while true {
                skipSpaces()
                guard let byte = current() else { return false }
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "'") {
                    probe += 1
                    while let inner = current(), inner != byte, inner != UInt8(ascii: "\n") { probe += 1 }
                    guard current() == byte else { return false }
                    probe += 1
                } else {
                    let start = probe
                    while let inner = current(), Self.isBareKeyByte(inner) { probe += 1 }
                    guard probe > start else { return false }
                }
                skipSpaces()
                guard current() == UInt8(ascii: ".") else { return true }
                probe += 1
            }
        }
        let lineStart = probe
        skipSpaces()
        guard let first = current() else { return true }
        switch first {
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "#"):
            return true
        case UInt8(ascii: "["):
            // A header, even a broken one, when it starts the line; an indented one is more
            // likely the rest of a broken array.
            let atColumnOne = probe == lineStart
            probe += 1
            if current() == UInt8(ascii: "[") { probe += 1 }
            guard skipKey() else { return false }
            return atColumnOne || current() == UInt8(ascii: "]")
        default:
            guard skipKey() else { return false }
            return current() == UInt8(ascii: "=")
        }
    }

    // MARK: - Building the tree

    private mutating func assign(_ node: TOMLNode, at path: [String]) throws(SyntaxError) {
        let parents = Array(path.dropLast())
        let name = path[path.count - 1]
        try Self.modify(&root, path: parents[...], line: node.line) { (table) throws(SyntaxError) in
            if let existing = table[name] {
                throw SyntaxError(
                    line: node.line, message: "key '\(name)' is defined twice (first on line \(existing.line))")
            }
            table[name] = node
        }
    }

    private mutating func defineTable(_ path: [String], line: Int) throws(SyntaxError) {
        let parents = Array(path.dropLast())
        let name = path[path.count - 1]
        try Self.modify(&root, path: parents[...], line: line) { (table) throws(SyntaxError) in
            guard let existing = table[name] else {
                var inner = TOMLTable(line: line)
                inner.isDefined = true
                table[name] = TOMLNode(.table(inner), line: line)
                return
            }
            guard case .table(var inner) = existing.value else {
                throw SyntaxError(
                    line: line,
                    message: "[\(path.joined(separator: "."))]: '\(name)' is already \(existing.value.kindName) "
                        + "(line \(existing.line)), not a table")
            }
            if inner.isDefined {
                throw SyntaxError(
                    line: line,
                    message: "table [\(path.joined(separator: "."))] is defined twice (first on line \(inner.line))")
            }
            inner.isDefined = true
            inner.line = line
            table[name] = TOMLNode(.table(inner), line: line)
        }
    }

    private mutating func appendArrayTable(_ path: [String], line: Int) throws(SyntaxError) {
        let parents = Array(path.dropLast())
        let name = path[path.count - 1]
        try Self.modify(&root, path: parents[...], line: line) { (table) throws(SyntaxError) in
            var element = TOMLTable(line: line)
            element.isDefined = true
            guard let existing = table[name] else {
                table[name] = TOMLNode(.array([TOMLNode(.table(element), line: line)]), line: line)
                return
            }
            guard case .array(var elements) = existing.value, existing.isArrayOfTables else {
                throw SyntaxError(
                    line: line,
                    message: "[[\(path.joined(separator: "."))]]: '\(name)' is already defined on line "
                        + "\(existing.line) and is not an array of tables")
            }
            elements.append(TOMLNode(.table(element), line: line))
            table[name] = TOMLNode(.array(elements), line: existing.line)
        }
    }

    /// Runs `body` on the table at `path`, creating implicit tables on the way and descending
    /// into the last element of arrays of tables.
    static func modify(
        _ table: inout TOMLTable, path: ArraySlice<String>, line: Int,
        _ body: (inout TOMLTable) throws(SyntaxError) -> Void
    ) throws(SyntaxError) {
        guard let first = path.first else {
            try body(&table)
            return
        }
        let rest = path.dropFirst()
        guard let existing = table[first] else {
            var inner = TOMLTable(line: line)
            try modify(&inner, path: rest, line: line, body)
            table[first] = TOMLNode(.table(inner), line: line)
            return
        }
        switch existing.value {
        case .table(var inner):
            try modify(&inner, path: rest, line: line, body)
            table[first] = TOMLNode(.table(inner), line: existing.line)
        case .array(var elements) where existing.isArrayOfTables && !elements.isEmpty:
            let last = elements[elements.count - 1]
            guard case .table(var inner) = last.value else { return }
            try modify(&inner, path: rest, line: line, body)
            elements[elements.count - 1] = TOMLNode(.table(inner), line: last.line)
            table[first] = TOMLNode(.array(elements), line: existing.line)
        default:
            throw SyntaxError(
                line: line,
                message: "'\(first)' is already \(existing.value.kindName) (line \(existing.line)), not a table")
        }
    }
}
