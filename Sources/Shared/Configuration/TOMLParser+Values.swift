import Foundation

/// Reading keys, values, strings and bytes: the lexical half of the parser.
extension TOMLParser {
    // MARK: - Keys

    mutating func key() throws(SyntaxError) -> [String] {
        var parts: [String] = []
        while true {
            skipBlank()
            guard let byte = peek(), byte != UInt8(ascii: "\n") else { throw fail("expected a key") }
            if byte == UInt8(ascii: "\"") {
                if startsWith("\"\"\"") { throw fail("a key cannot be a multi-line string") }
                parts.append(try basicString())
            } else if byte == UInt8(ascii: "'") {
                if startsWith("'''") { throw fail("a key cannot be a multi-line string") }
                parts.append(try literalString())
            } else {
                let start = index
                while let current = peek(), Self.isBareKeyByte(current) { advance() }
                guard index > start else { throw fail("expected a key, found '\(Character(Unicode.Scalar(byte)))'") }
                parts.append(String(decoding: bytes[start..<index], as: UTF8.self))
            }
            skipBlank()
            guard peek() == UInt8(ascii: ".") else { return parts }
            advance()
        }
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: "-")
    }

    // MARK: - Values

    mutating func value() throws(SyntaxError) -> TOMLValue {
        guard let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "#") else {
            throw fail("expected a value")
        }
        switch byte {
        case UInt8(ascii: "\""):
            if startsWith("\"\"\"") { return .string(try multilineBasicString()) }
            return .string(try basicString())
        case UInt8(ascii: "'"):
            if startsWith("'''") { return .string(try multilineLiteralString()) }
            return .string(try literalString())
        case UInt8(ascii: "["):
            return try array()
        case UInt8(ascii: "{"):
            return try inlineTable()
        default:
            if consumeWord("true") { return .boolean(true) }
            if consumeWord("false") { return .boolean(false) }
            return try numberOrDate()
        }
    }

    mutating func numberOrDate() throws(SyntaxError) -> TOMLValue {
        let start = index
        while let byte = peek(), !isValueEnd(byte) { advance() }
        var text = String(decoding: bytes[start..<index], as: UTF8.self)
        // A date and a time separated by one space: "1979-05-27 07:32:00".
        if text.count == 10, text.contains("-"), peek() == UInt8(ascii: " "), index + 1 < bytes.count,
            bytes[index + 1] >= UInt8(ascii: "0"), bytes[index + 1] <= UInt8(ascii: "9")
        {
            advance()
            let timeStart = index
            while let byte = peek(), !isValueEnd(byte) { advance() }
            text += " " + String(decoding: bytes[timeStart..<index], as: UTF8.self)
        }
        guard !text.isEmpty else { throw fail("expected a value") }
        if let date = datetime(text) { return date }
        if text.contains("__") || text.hasPrefix("_") || text.hasSuffix("_") {
            throw fail("invalid number '\(text)' ('_' goes between digits)")
        }
        let cleaned = text.replacingOccurrences(of: "_", with: "")
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where cleaned.hasPrefix(prefix) {
            guard let value = Int(cleaned.dropFirst(2), radix: radix) else { throw fail("invalid number '\(text)'") }
            return .integer(value)
        }
        let unsigned = cleaned.hasPrefix("-") || cleaned.hasPrefix("+") ? cleaned.dropFirst() : Substring(cleaned)
        if let value = Int(cleaned) {
            if unsigned.count > 1 && unsigned.hasPrefix("0") {
                throw fail("leading zeros are not allowed in '\(text)'")
            }
            return .integer(value)
        }
        switch unsigned {
        case "inf": return .float(cleaned.hasPrefix("-") ? -.infinity : .infinity)
        case "nan": return .float(.nan)
        default: break
        }
        if unsigned.first?.isASCII == true, unsigned.first?.isNumber == true,
            cleaned.contains(where: { $0 == "." || $0 == "e" || $0 == "E" }), let value = Double(cleaned)
        {
            return .float(value)
        }
        if !unsigned.isEmpty, unsigned.allSatisfy({ $0.isASCII && $0.isNumber }) {
            throw fail("number '\(text)' is out of range")
        }
        throw fail("invalid value '\(text)' (strings need quotes)")
    }

    func datetime(_ text: String) -> TOMLValue? {
        let characters = Array(text)
        let looksLikeDate =
            characters.count >= 10 && characters[4] == "-" && characters[7] == "-"
            && characters[0...3].allSatisfy(\.isNumber)
        let looksLikeTime =
            characters.count >= 8 && characters[2] == ":" && characters[5] == ":"
            && characters[0...1].allSatisfy(\.isNumber)
        return looksLikeDate || looksLikeTime ? .datetime(text) : nil
    }

    func isValueEnd(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: ",") || byte == UInt8(ascii: "]")
            || byte == UInt8(ascii: "}") || byte == UInt8(ascii: "#")
    }

    mutating func array() throws(SyntaxError) -> TOMLValue {
        let openLine = line
        advance()
        var elements: [TOMLNode] = []
        while true {
            skipWhitespaceCommentsAndNewlines()
            guard let byte = peek() else { throw SyntaxError(line: openLine, message: "unterminated array") }
            if byte == UInt8(ascii: "]") {
                advance()
                return .array(elements)
            }
            let elementLine = line
            elements.append(TOMLNode(try value(), line: elementLine))
            skipWhitespaceCommentsAndNewlines()
            guard let next = peek() else { throw SyntaxError(line: openLine, message: "unterminated array") }
            if next == UInt8(ascii: ",") {
                advance()
            } else if next != UInt8(ascii: "]") {
                throw fail("expected ',' or ']' in the array")
            }
        }
    }

    mutating func inlineTable() throws(SyntaxError) -> TOMLValue {
        let tableLine = line
        advance()
        var table = TOMLTable(line: tableLine)
        table.isDefined = true
        while true {
            skipWhitespaceCommentsAndNewlines()
            guard peek() != nil else { throw SyntaxError(line: tableLine, message: "unterminated inline table") }
            if consume("}") { return .table(table) }
            let keyLine = line
            let path = try key()
            skipBlank()
            guard consume("=") else { throw fail("expected '=' in the inline table") }
            skipBlank()
            let node = TOMLNode(try value(), line: keyLine)
            let name = path[path.count - 1]
            try Self.modify(&table, path: path.dropLast()[...], line: keyLine) { (inner) throws(SyntaxError) in
                if inner[name] != nil {
                    throw SyntaxError(line: keyLine, message: "key '\(name)' is defined twice in the inline table")
                }
                inner[name] = node
            }
            skipWhitespaceCommentsAndNewlines()
            if consume("}") { return .table(table) }
            guard consume(",") else { throw fail("expected ',' or '}' in the inline table") }
        }
    }

    // MARK: - Strings

    mutating func basicString() throws(SyntaxError) -> String {
        advance()
        var result: [UInt8] = []
        while true {
            guard let byte = peek(), byte != UInt8(ascii: "\n") else { throw fail("unterminated string") }
            advance()
            if byte == UInt8(ascii: "\"") { return try utf8(result) }
            if byte == UInt8(ascii: "\\") {
                try escape(into: &result)
            } else {
                result.append(byte)
            }
        }
    }

    mutating func multilineBasicString() throws(SyntaxError) -> String {
        let openLine = line
        index += 3
        skipNewlineAfterOpeningQuotes()
        var result: [UInt8] = []
        while true {
            guard let byte = peek() else {
                throw SyntaxError(line: openLine, message: "unterminated multi-line string")
            }
            if startsWith("\"\"\"") {
                // """"" closes with up to two quotes that belong to the string.
                var quotes = 0
                while index + quotes < bytes.count, bytes[index + quotes] == UInt8(ascii: "\""), quotes < 5 {
                    quotes += 1
                }
                result.append(contentsOf: repeatElement(UInt8(ascii: "\""), count: quotes - 3))
                index += quotes
                return try utf8(result)
            }
            advance()
            if byte == UInt8(ascii: "\\") {
                // A line-ending backslash trims the newline and the whitespace that follow.
                var probe = index
                while probe < bytes.count, bytes[probe] == UInt8(ascii: " ") || bytes[probe] == UInt8(ascii: "\t") {
                    probe += 1
                }
                if probe < bytes.count, bytes[probe] == UInt8(ascii: "\n") || bytes[probe] == UInt8(ascii: "\r") {
                    while let next = peek(), Self.isWhitespaceOrNewline(next) { advance() }
                    continue
                }
                try escape(into: &result)
            } else if byte != UInt8(ascii: "\r") || peek() != UInt8(ascii: "\n") {
                result.append(byte)
            }
        }
    }

    mutating func literalString() throws(SyntaxError) -> String {
        advance()
        let start = index
        while let byte = peek(), byte != UInt8(ascii: "'") {
            guard byte != UInt8(ascii: "\n") else { throw fail("unterminated string") }
            advance()
        }
        guard peek() == UInt8(ascii: "'") else { throw fail("unterminated string") }
        let text = try utf8(Array(bytes[start..<index]))
        advance()
        return text
    }

    mutating func multilineLiteralString() throws(SyntaxError) -> String {
        let openLine = line
        index += 3
        skipNewlineAfterOpeningQuotes()
        let start = index
        while index < bytes.count, !startsWith("'''") { advance() }
        guard startsWith("'''") else { throw SyntaxError(line: openLine, message: "unterminated multi-line string") }
        // ''''' closes with up to two quotes that belong to the string.
        var quotes = 0
        while index + quotes < bytes.count, bytes[index + quotes] == UInt8(ascii: "'"), quotes < 5 { quotes += 1 }
        let end = index + quotes - 3
        let text = try utf8(bytes[start..<end].filter { $0 != UInt8(ascii: "\r") })
        index += quotes
        return text
    }

    mutating func skipNewlineAfterOpeningQuotes() {
        if startsWith("\r\n") {
            index += 1
        }
        if peek() == UInt8(ascii: "\n") { advance() }
    }

    mutating func escape(into result: inout [UInt8]) throws(SyntaxError) {
        guard let code = peek(), code != UInt8(ascii: "\n") else { throw fail("unterminated escape") }
        advance()
        switch code {
        case UInt8(ascii: "b"): result.append(0x08)
        case UInt8(ascii: "t"): result.append(0x09)
        case UInt8(ascii: "n"): result.append(0x0A)
        case UInt8(ascii: "f"): result.append(0x0C)
        case UInt8(ascii: "r"): result.append(0x0D)
        case UInt8(ascii: "e"): result.append(0x1B)
        case UInt8(ascii: "\""): result.append(0x22)
        case UInt8(ascii: "\\"): result.append(0x5C)
        case UInt8(ascii: "u"), UInt8(ascii: "U"):
            let count = code == UInt8(ascii: "u") ? 4 : 8
            guard index + count <= bytes.count,
                bytes[index..<(index + count)].allSatisfy({ Character(Unicode.Scalar($0)).isHexDigit }),
                let scalarValue = UInt32(String(decoding: bytes[index..<(index + count)], as: UTF8.self), radix: 16),
                let scalar = Unicode.Scalar(scalarValue)
            else { throw fail("invalid unicode escape (expected \\u and 4 or \\U and 8 hex digits)") }
            index += count
            result.append(contentsOf: String(Character(scalar)).utf8)
        default:
            let shown = code < 0x80 ? String(Character(Unicode.Scalar(code))) : "…"
            throw fail("invalid escape '\\\(shown)' (write '\\\\' for a backslash, or use a 'literal string')")
        }
    }

    func utf8(_ bytes: [UInt8]) throws(SyntaxError) -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else { throw fail("string is not valid UTF-8") }
        return text
    }

    // MARK: - Scanning

    func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func advance() {
        if bytes[index] == UInt8(ascii: "\n") { line += 1 }
        index += 1
    }

    func startsWith(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        for offset in 0..<count where bytes[index + offset] != text.utf8Start[offset] { return false }
        return true
    }

    mutating func consume(_ text: StaticString) -> Bool {
        guard startsWith(text) else { return false }
        index += text.utf8CodeUnitCount
        return true
    }

    mutating func consumeWord(_ word: StaticString) -> Bool {
        guard startsWith(word) else { return false }
        let end = index + word.utf8CodeUnitCount
        if end < bytes.count, !isValueEnd(bytes[end]) { return false }
        index = end
        return true
    }

    static func isWhitespaceOrNewline(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\n")
            || byte == UInt8(ascii: "\r")
    }

    mutating func skipBlank() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") || byte == UInt8(ascii: "\r") {
            advance()
        }
    }

    mutating func skipComment() {
        while let byte = peek(), byte != UInt8(ascii: "\n") { advance() }
    }

    mutating func skipWhitespaceCommentsAndNewlines() {
        while let byte = peek() {
            if byte == UInt8(ascii: "#") {
                skipComment()
            } else if Self.isWhitespaceOrNewline(byte) {
                advance()
            } else {
                return
            }
        }
    }

    func fail(_ message: String) -> SyntaxError {
        SyntaxError(line: line, message: message)
    }
}
