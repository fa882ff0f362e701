/// Writes PostgreSQL array literals (`{"a","b",NULL}`) for `unnest($1::text[])` parameters:
/// one parameter carries a whole column of a batch, so a batch of any size is one statement.
public enum PostgresArray {
    /// A text array literal; nil elements become `NULL`.
    public static func text(_ elements: some Sequence<String?>) -> PostgresValue {
        var literal = "{"
        var first = true
        for element in elements {
            if !first { literal.append(",") }
            first = false
            guard let element else {
                literal.append("NULL")
                continue
            }
            literal.append("\"")
            for character in element.unicodeScalars {
                if character == "\"" || character == "\\" { literal.append("\\") }
                literal.unicodeScalars.append(character)
            }
            literal.append("\"")
        }
        literal.append("}")
        return .text(literal)
    }

    /// A text array literal of non-optional strings.
    public static func text(_ elements: [String]) -> PostgresValue {
        text(elements.lazy.map { Optional($0) })
    }

    /// A `bytea[]` literal, each element in hex format.
    public static func bytea(_ elements: [[UInt8]]) -> PostgresValue {
        let digits = Array("0123456789abcdef".utf8)
        var literal: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in elements.enumerated() {
            if index > 0 { literal.append(UInt8(ascii: ",")) }
            // "\\x…": the array syntax needs the backslash escaped.
            literal.append(contentsOf: "\"\\\\x".utf8)
            for byte in element {
                literal.append(digits[Int(byte >> 4)])
                literal.append(digits[Int(byte & 0x0F)])
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return .text(String(decoding: literal, as: UTF8.self))
    }
}
