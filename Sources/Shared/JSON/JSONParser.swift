/// A strict JSON parser (RFC 8259) for feed input: rejects invalid UTF-8, control characters
/// in strings, trailing garbage and nesting deeper than ``maximumDepth``, and says at which
/// byte. It never traps on any input.
public struct JSONParser {
    /// Why the input is not JSON, and where.
    public struct Error: Swift.Error, Sendable, Equatable, CustomStringConvertible {
        /// Byte offset in the input.
        public var offset: Int
        /// What is wrong there.
        public var message: String
        /// `invalid JSON at byte N: message`.
        public var description: String { "invalid JSON at byte \(offset): \(message)" }

        /// An error at byte `offset`.
        public init(offset: Int, message: String) {
            self.offset = offset
            self.message = message
        }
    }

    /// Deeper nesting than this is refused rather than recursed into.
    public static let maximumDepth = 64

    /// Parses one JSON document; whitespace around it is allowed, anything else is not.
    ///
    /// Member names in `knownKeys` share that table's strings (see ``KnownKeys``).
    public static func parse(_ bytes: some Collection<UInt8>, knownKeys: KnownKeys? = nil) throws(Error) -> JSONValue {
        let result = bytes.withContiguousStorageIfAvailable { buffer in
            Result { () throws(Error) -> JSONValue in try parse(buffer, knownKeys: knownKeys) }
        }
        if let result { return try result.get() }
        let copy = Array(bytes)
        return try copy.withUnsafeBufferPointer { buffer in
            Result { () throws(Error) -> JSONValue in try parse(buffer, knownKeys: knownKeys) }
        }.get()
    }

    private static func parse(_ buffer: UnsafeBufferPointer<UInt8>, knownKeys: KnownKeys?) throws(Error) -> JSONValue {
        var parser = Cursor(buffer: buffer, knownKeys: knownKeys)
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        if parser.index < buffer.count {
            throw Error(offset: parser.index, message: "unexpected data after the JSON value")
        }
        return value
    }

    // MARK: - An object member by member

    /// One member of an object read by ``members(of:knownKeys:)``.
    public struct Member: Sendable {
        /// The member's name.
        public var key: String
        /// Where the name stands in the list the ``KnownKeys`` were made from; nil for any
        /// other name, and for a name written with escapes.
        public var knownPosition: Int?
        /// The member's value.
        public var value: MemberValue
    }

    /// A member's value: plain text where the input has it, anything else parsed.
    public enum MemberValue: Sendable, Equatable {
        /// A string of ASCII without escapes, given as the range of its text in the input:
        /// no `String` is made until the caller asks for one.
        case plainString(Range<Int>)
        /// Any other value, parsed.
        case value(JSONValue)
    }

    /// What ``members(of:knownKeys:)`` found at the top level.
    public enum TopLevel: Sendable {
        /// An object, its members in document order (repeats kept).
        case object([Member])
        /// Any other value.
        case other(JSONValue)
    }

    /// Parses one JSON document like ``parse(_:knownKeys:)`` (the same checks, the same errors
    /// at the same bytes) but gives a top-level object as its members, plain strings as ranges
    /// of `buffer`: a decoder of flat objects reads them without a tree of values.
    public static func members(of buffer: UnsafeBufferPointer<UInt8>, knownKeys: KnownKeys?) throws(Error) -> TopLevel {
        var parser = Cursor(buffer: buffer, knownKeys: knownKeys)
        parser.skipWhitespace()
        let top: TopLevel
        if parser.index < buffer.count, buffer[parser.index] == UInt8(ascii: "{") {
            top = .object(try parser.members())
        } else {
            top = .other(try parser.value(depth: 0))
        }
        parser.skipWhitespace()
        if parser.index < buffer.count {
            throw Error(offset: parser.index, message: "unexpected data after the JSON value")
        }
        return top
    }

    private struct Cursor {
        let buffer: UnsafeBufferPointer<UInt8>
        let knownKeys: KnownKeys?
        var index = 0

        init(buffer: UnsafeBufferPointer<UInt8>, knownKeys: KnownKeys?) {
            self.buffer = buffer
            self.knownKeys = knownKeys
        }

        func fail(_ message: String) -> Error { Error(offset: index, message: message) }

        mutating func skipWhitespace() {
            while index < buffer.count {
                switch buffer[index] {
                case 0x20, 0x09, 0x0A, 0x0D: index += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Error) -> JSONValue {
            guard index < buffer.count else { throw fail("unexpected end of input") }
            switch buffer[index] {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw fail("unexpected character")
            }
        }

        mutating func literal(_ word: StaticString) throws(Error) {
            let count = word.utf8CodeUnitCount
            guard index + count <= buffer.count else { throw fail("unexpected end of input") }
            for offset in 0..<count where buffer[index + offset] != word.utf8Start[offset] {
                throw fail("invalid literal")
            }
            index += count
        }

        mutating func object(depth: Int) throws(Error) -> JSONValue {
            guard depth <= JSONParser.maximumDepth else { throw fail("nesting deeper than \(JSONParser.maximumDepth)") }
            index += 1
            var members: [(key: String, value: JSONValue)] = []
            skipWhitespace()
            if index < buffer.count, buffer[index] == UInt8(ascii: "}") {
                index += 1
                return .object(JSONObject(members: members))
            }
            // A feed's object has a handful of members: one allocation instead of growing
            // through 1, 2, 4 and 8.
            members.reserveCapacity(8)
            while true {
                skipWhitespace()
                guard index < buffer.count, buffer[index] == UInt8(ascii: "\"") else {
                    throw fail("expected a member name")
                }
                let key = try string(isKey: true)
                skipWhitespace()
                guard index < buffer.count, buffer[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                members.append((key, try value(depth: depth)))
                skipWhitespace()
                guard index < buffer.count else { throw fail("unexpected end of input") }
                if buffer[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard buffer[index] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                index += 1
                return .object(JSONObject(members: members))
            }
        }

        /// The members of the object at `index`, the top level (``object(depth:)`` step by step).
        mutating func members() throws(Error) -> [Member] {
            index += 1
            var members: [Member] = []
            skipWhitespace()
            if index < buffer.count, buffer[index] == UInt8(ascii: "}") {
                index += 1
                return members
            }
            members.reserveCapacity(12)
            while true {
                skipWhitespace()
                guard index < buffer.count, buffer[index] == UInt8(ascii: "\"") else {
                    throw fail("expected a member name")
                }
                let key: String
                var position: Int?
                if let range = plainString() {
                    if let known = knownKeys?.lookUp(in: buffer, from: range.lowerBound, count: range.count) {
                        (key, position) = known
                    } else {
                        key = String(decoding: UnsafeBufferPointer(rebasing: buffer[range]), as: UTF8.self)
                    }
                } else {
                    key = try string()
                }
                skipWhitespace()
                guard index < buffer.count, buffer[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
                index += 1
                skipWhitespace()
                let value: MemberValue
                if index < buffer.count, buffer[index] == UInt8(ascii: "\""), let range = plainString() {
                    value = .plainString(range)
                } else {
                    value = .value(try self.value(depth: 1))
                }
                members.append(Member(key: key, knownPosition: position, value: value))
                skipWhitespace()
                guard index < buffer.count else { throw fail("unexpected end of input") }
                if buffer[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard buffer[index] == UInt8(ascii: "}") else { throw fail("expected ',' or '}'") }
                index += 1
                return members
            }
        }

        /// At a string's opening quote: when the string is ASCII without escapes and closed,
        /// moves past it and returns its text's range; else stays and returns nil (``string(isKey:)``
        /// reads it, or says what is wrong).
        mutating func plainString() -> Range<Int>? {
            let first = index + 1
            let end = plainRunEnd(from: first)
            guard end < buffer.count, buffer[end] == UInt8(ascii: "\"") else { return nil }
            index = end + 1
            return first..<end
        }

        /// From `start`, where the plain run stops: the first quote, backslash, control
        /// character or non-ASCII byte, else the end of the input. Eight bytes at a time, the
        /// first such byte read off the word's mask (a member's value is mostly shorter than
        /// eight bytes: a loop over its bytes after the word cost ~60 instructions a member);
        /// the last few bytes of the input one by one.
        func plainRunEnd(from start: Int) -> Int {
            var scan = start
            if let base = buffer.baseAddress {
                while scan + 8 <= buffer.count {
                    let word = UInt64(littleEndian: UnsafeRawPointer(base + scan).loadUnaligned(as: UInt64.self))
                    let ends = Self.plainRunEnds(word)
                    if ends != 0 { return scan + ends.trailingZeroBitCount >> 3 }
                    scan += 8
                }
            }
            while scan < buffer.count {
                let byte = buffer[scan]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { break }
                scan += 1
            }
            return scan
        }

        mutating func array(depth: Int) throws(Error) -> JSONValue {
            guard depth <= JSONParser.maximumDepth else { throw fail("nesting deeper than \(JSONParser.maximumDepth)") }
            index += 1
            var elements: [JSONValue] = []
            skipWhitespace()
            if index < buffer.count, buffer[index] == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth))
                skipWhitespace()
                guard index < buffer.count else { throw fail("unexpected end of input") }
                if buffer[index] == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                guard buffer[index] == UInt8(ascii: "]") else { throw fail("expected ',' or ']'") }
                index += 1
                return .array(elements)
            }
        }

        mutating func number() throws(Error) -> String {
            let start = index
            if buffer[index] == UInt8(ascii: "-") { index += 1 }
            guard index < buffer.count, isDigit(buffer[index]) else { throw fail("invalid number") }
            if buffer[index] == UInt8(ascii: "0") {
                index += 1
            } else {
                while index < buffer.count, isDigit(buffer[index]) { index += 1 }
            }
            if index < buffer.count, buffer[index] == UInt8(ascii: ".") {
                index += 1
                guard index < buffer.count, isDigit(buffer[index]) else { throw fail("invalid number") }
                while index < buffer.count, isDigit(buffer[index]) { index += 1 }
            }
            if index < buffer.count, buffer[index] == UInt8(ascii: "e") || buffer[index] == UInt8(ascii: "E") {
                index += 1
                if index < buffer.count, buffer[index] == UInt8(ascii: "+") || buffer[index] == UInt8(ascii: "-") {
                    index += 1
                }
                guard index < buffer.count, isDigit(buffer[index]) else { throw fail("invalid number") }
                while index < buffer.count, isDigit(buffer[index]) { index += 1 }
            }
            guard index - start <= 64 else { throw Error(offset: start, message: "number longer than 64 characters") }
            return String(decoding: UnsafeBufferPointer(rebasing: buffer[start..<index]), as: UTF8.self)
        }

        func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

        /// The high bit of each byte of `word` (first byte lowest) that may be a quote, a
        /// backslash, a control character or a non-ASCII byte: the lowest bit set is exactly
        /// the first such byte (a borrow only marks bytes above one that is), the bits above it
        /// may be false.
        static func plainRunEnds(_ word: UInt64) -> UInt64 {
            (word & 0x8080_8080_8080_8080) | handlingMask(word)
        }

        /// True when one of the eight bytes of `word` may be a quote, a backslash or a control
        /// character: the bytes a string's slow path cannot copy as they are (non-ASCII bytes
        /// it can: the whole string is validated as UTF-8 at its end).
        static func mayNeedHandling(_ word: UInt64) -> Bool { handlingMask(word) != 0 }

        /// The high bit of each byte of `word` that may be a quote, a backslash or a control
        /// character, exact up to the first (the bit tricks of "Bit Twiddling Hacks",
        /// "determine if a word has a byte less than n").
        private static func handlingMask(_ word: UInt64) -> UInt64 {
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highBits: UInt64 = 0x8080_8080_8080_8080
            func below(_ value: UInt64, _ bound: UInt64) -> UInt64 { (value &- ones &* bound) & ~value & highBits }
            return below(word, 0x20) | below(word ^ (ones &* 0x22), 1) | below(word ^ (ones &* 0x5C), 1)
        }

        mutating func string(isKey: Bool = false) throws(Error) -> String {
            let start = index
            index += 1
            // Fast path: no escapes and ASCII only (or unterminated, said below).
            let scan = plainRunEnd(from: index)
            let plain = scan == buffer.count || buffer[scan] == UInt8(ascii: "\"")
            if plain {
                guard scan < buffer.count else { throw Error(offset: start, message: "unterminated string") }
                let first = index
                index = scan + 1
                if isKey, let name = knownKeys?.name(in: buffer, from: first, count: scan - first) { return name }
                return String(decoding: UnsafeBufferPointer(rebasing: buffer[first..<scan]), as: UTF8.self)
            }
            // Escapes or non-ASCII: the runs between escapes are copied whole, starting with the
            // plain prefix already scanned.
            var bytes: [UInt8] = []
            bytes.reserveCapacity(scan - index + 64)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<scan]))
            index = scan
            while true {
                var run = index
                if let base = buffer.baseAddress {
                    while run + 8 <= buffer.count, !Self.mayNeedHandling(UnsafeRawPointer(base + run).loadUnaligned(as: UInt64.self)) {
                        run += 8
                    }
                }
                while run < buffer.count {
                    let byte = buffer[run]
                    if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                    run += 1
                }
                if run > index {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[index..<run]))
                    index = run
                }
                guard index < buffer.count else { throw Error(offset: start, message: "unterminated string") }
                let byte = buffer[index]
                switch byte {
                case UInt8(ascii: "\""):
                    index += 1
                    guard let text = String(validating: bytes, as: UTF8.self) else {
                        throw Error(offset: start, message: "string is not valid UTF-8")
                    }
                    return text
                case UInt8(ascii: "\\"):
                    index += 1
                    guard index < buffer.count else { throw fail("unterminated escape") }
                    let escaped = buffer[index]
                    index += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): bytes.append(escaped)
                    case UInt8(ascii: "b"): bytes.append(0x08)
                    case UInt8(ascii: "f"): bytes.append(0x0C)
                    case UInt8(ascii: "n"): bytes.append(0x0A)
                    case UInt8(ascii: "r"): bytes.append(0x0D)
                    case UInt8(ascii: "t"): bytes.append(0x09)
                    case UInt8(ascii: "u"): try unicodeEscape(into: &bytes)
                    default: throw fail("invalid escape")
                    }
                default:
                    // The run stopped here: a control character.
                    throw fail("control character in string")
                }
            }
        }

        mutating func hex4() throws(Error) -> UInt32 {
            guard index + 4 <= buffer.count else { throw fail("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = buffer[index]
                let digit: UInt32
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
                default: throw fail("invalid \\u escape")
                }
                value = value << 4 | digit
                index += 1
            }
            return value
        }

        mutating func unicodeEscape(into bytes: inout [UInt8]) throws(Error) {
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard index + 2 <= buffer.count, buffer[index] == UInt8(ascii: "\\"),
                    buffer[index + 1] == UInt8(ascii: "u")
                else { throw fail("unpaired surrogate") }
                index += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else { throw fail("unpaired surrogate") }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw fail("unpaired surrogate")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid code point") }
            bytes.append(contentsOf: String(Character(unicode)).utf8)
        }
    }
}
