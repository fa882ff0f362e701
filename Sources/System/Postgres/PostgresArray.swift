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
    ///
    /// The literal's exact size is counted first and the bytes are then written through a
    /// pointer: JSON has a `"` to escape every few bytes, and appending the runs between them
    /// one by one was the largest part of building a batch's statements (callgrind,
    /// docs/PERFORMANCE.md).
    public static func text(utf8 elements: [[UInt8]]) -> PostgresValue {
        textLiteral(elements)
    }

    /// ``text(utf8:)`` of parts of buffers (an event payload split around its stream number),
    /// without copying each part into an array of its own first.
    public static func text(utf8Slices elements: [ArraySlice<UInt8>]) -> PostgresValue {
        textLiteral(elements)
    }

    private static func textLiteral<Element: Collection<UInt8>>(_ elements: [Element]) -> PostgresValue {
        var size = 2 + max(0, elements.count - 1)
        for element in elements { size += element.count + 2 + withBytes(of: element, escapedCount) }
        // Eight bytes of slack: words are stored whole, then partly overwritten.
        let literal = [UInt8](unsafeUninitializedCapacity: size + 8) { output, initialized in
            let out = UnsafeMutableRawPointer(output.baseAddress!)
            var at = 0
            out.storeBytes(of: UInt8(ascii: "{"), toByteOffset: at, as: UInt8.self)
            at += 1
            for (index, element) in elements.enumerated() {
                if index > 0 {
                    out.storeBytes(of: UInt8(ascii: ","), toByteOffset: at, as: UInt8.self)
                    at += 1
                }
                out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: at, as: UInt8.self)
                at += 1
                at = withBytes(of: element) { writeEscaped($0, to: out, at: at) }
                out.storeBytes(of: UInt8(ascii: "\""), toByteOffset: at, as: UInt8.self)
                at += 1
            }
            out.storeBytes(of: UInt8(ascii: "}"), toByteOffset: at, as: UInt8.self)
            initialized = at + 1
            precondition(initialized == size)
        }
        return .encodedText(literal)
    }

    /// `body` over the element's contiguous bytes (arrays and their slices have them).
    @inline(__always)
    private static func withBytes<Element: Collection<UInt8>, Result>(
        of element: Element, _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        if let result = element.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return result }
        return Array(element).withUnsafeBytes(body)
    }

    // MARK: - Escaping eight bytes at a time

    private static let lowSeven: UInt64 = 0x7F7F_7F7F_7F7F_7F7F

    /// 0x80 in each byte of `word` that is `"` or `\`, 0 in the others (exact: no borrow
    /// from one byte into the next).
    @inline(__always)
    private static func escapeMask(_ word: UInt64) -> UInt64 {
        let quote = word ^ 0x2222_2222_2222_2222
        let backslash = word ^ 0x5C5C_5C5C_5C5C_5C5C
        let quoteZero = ~(((quote & lowSeven) &+ lowSeven) | quote | lowSeven)
        let backslashZero = ~(((backslash & lowSeven) &+ lowSeven) | backslash | lowSeven)
        return quoteZero | backslashZero
    }

    @inline(__always)
    private static func needsEscape(_ byte: UInt8) -> Bool { byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") }

    /// How many bytes of `bytes` need a backslash in front of them in an array element.
    private static func escapedCount(_ bytes: UnsafeRawBufferPointer) -> Int {
        var count = 0
        var index = 0
        while index + 8 <= bytes.count {
            count += escapeMask(bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)).nonzeroBitCount
            index += 8
        }
        while index < bytes.count {
            if needsEscape(bytes[index]) { count += 1 }
            index += 1
        }
        return count
    }

    /// Writes `bytes` at `out + at` with `"` and `\` escaped; returns the offset after them.
    /// Each word is stored whole (the output has 8 bytes of slack past its end); a word with
    /// bytes to escape is stored again from each of them on, after its backslash. Byte k of a
    /// loaded word is its bits 8k..<8k+8: little-endian, as everywhere FlightEdge runs.
    private static func writeEscaped(_ bytes: UnsafeRawBufferPointer, to out: UnsafeMutableRawPointer, at start: Int) -> Int {
        var at = start
        var index = 0
        while index + 8 <= bytes.count {
            let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            var mask = escapeMask(word)
            var from = 0  // bytes of `word` already written
            while mask != 0 {
                let escaped = mask.trailingZeroBitCount >> 3
                // Bytes from..<escaped, then the backslash; the escaped byte starts the next store.
                out.storeBytes(of: word >> (UInt64(from) << 3), toByteOffset: at, as: UInt64.self)
                at += escaped - from
                out.storeBytes(of: UInt8(ascii: "\\"), toByteOffset: at, as: UInt8.self)
                at += 1
                from = escaped
                mask &= mask - 1
            }
            out.storeBytes(of: word >> (UInt64(from) << 3), toByteOffset: at, as: UInt64.self)
            at += 8 - from
            index += 8
        }
        while index < bytes.count {
            at = writeEscapedByte(bytes[index], to: out, at: at)
            index += 1
        }
        return at
    }

    @inline(__always)
    private static func writeEscapedByte(_ byte: UInt8, to out: UnsafeMutableRawPointer, at start: Int) -> Int {
        var at = start
        if needsEscape(byte) {
            out.storeBytes(of: UInt8(ascii: "\\"), toByteOffset: at, as: UInt8.self)
            at += 1
        }
        out.storeBytes(of: byte, toByteOffset: at, as: UInt8.self)
        return at + 1
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
