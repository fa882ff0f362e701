/// Array parameters in PostgreSQL's text syntax, for `unnest($1::text[])` and friends: a batch
/// of rows goes as one parameter per column.
///
/// Built byte by byte into one buffer: this is the hot path of every batch commit (each
/// column of each row passes through here), so no `String` is grown along the way.
public enum PostgresArray {
    /// A text array literal; nil elements become `NULL`.
    public static func text(_ elements: some Sequence<String?>) -> PostgresValue {
        array(elements, capacity: elements.underestimatedCount * 24) { element, literal in
            guard var element else {
                literal.append(contentsOf: [UInt8(ascii: "N"), UInt8(ascii: "U"), UInt8(ascii: "L"), UInt8(ascii: "L")])
                return
            }
            element.withUTF8 { appendQuoted($0, to: &literal) }
        }
    }

    /// A text array literal of non-optional strings.
    public static func text(_ elements: [String]) -> PostgresValue {
        array(elements, capacity: elements.reduce(0) { $0 + $1.utf8.count + 3 }) { element, literal in
            var element = element
            element.withUTF8 { appendQuoted($0, to: &literal) }
        }
    }

    /// A text array literal of elements already encoded as UTF-8 (JSON payloads as published),
    /// so they need not become `String`s first.
    public static func text(utf8 elements: [[UInt8]]) -> PostgresValue {
        array(elements, capacity: elements.reduce(0) { $0 + $1.count + 3 }) { element, literal in
            element.withUnsafeBufferPointer { appendQuoted($0, to: &literal) }
        }
    }

    /// An integer array literal (`bigint[]`, `smallint[]`): digits need no quotes.
    public static func integers(_ elements: some Sequence<some BinaryInteger>) -> PostgresValue {
        array(elements, capacity: elements.underestimatedCount * 8) { element, literal in
            literal.append(contentsOf: String(element).utf8)
        }
    }

    /// A `boolean[]` literal.
    public static func booleans(_ elements: some Sequence<Bool>) -> PostgresValue {
        array(elements, capacity: elements.underestimatedCount * 2) { element, literal in
            literal.append(element ? UInt8(ascii: "t") : UInt8(ascii: "f"))
        }
    }

    /// A `bytea[]` literal, each element in hex format.
    public static func bytea(_ elements: [[UInt8]]) -> PostgresValue {
        let digits = Array("0123456789abcdef".utf8)
        return array(elements, capacity: elements.reduce(0) { $0 + $1.count * 2 + 6 }) { element, literal in
            // "\\x…": the array syntax needs the backslash escaped.
            literal.append(contentsOf: "\"\\\\x".utf8)
            for byte in element {
                literal.append(digits[Int(byte >> 4)])
                literal.append(digits[Int(byte & 0x0F)])
            }
            literal.append(UInt8(ascii: "\""))
        }
    }

    /// `{e1,e2,…}` with each element written by `append`, in one buffer of about `capacity`.
    private static func array<Elements: Sequence>(
        _ elements: Elements, capacity: Int, append: (Elements.Element, inout [UInt8]) -> Void
    ) -> PostgresValue {
        var literal: [UInt8] = [UInt8(ascii: "{")]
        literal.reserveCapacity(capacity + 2)
        var first = true
        for element in elements {
            if !first { literal.append(UInt8(ascii: ",")) }
            first = false
            append(element, &literal)
        }
        literal.append(UInt8(ascii: "}"))
        return .encodedText(literal)
    }

    /// `"…"` with `"` and `\` escaped, copied in runs between the bytes that need escaping.
    private static func appendQuoted(_ bytes: UnsafeBufferPointer<UInt8>, to literal: inout [UInt8]) {
        literal.append(UInt8(ascii: "\""))
        var runStart = 0
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\"") || bytes[index] == UInt8(ascii: "\\") {
            literal.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            literal.append(UInt8(ascii: "\\"))
            runStart = index
        }
        literal.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
        literal.append(UInt8(ascii: "\""))
    }
}
