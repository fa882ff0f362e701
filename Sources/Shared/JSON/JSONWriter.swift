/// Appends JSON to a byte buffer without building intermediate values: the payloads on the
/// hot path (flight state, events) are written straight into their bytes.
///
/// The buffer is kept longer than the JSON, and each call writes its bytes (comma, quotes,
/// text, colon) through one pointer after one capacity check: appending them to an array one
/// by one cost ~300 instructions a key (callgrind, docs/PERFORMANCE.md).
public struct JSONWriter: Sendable {
    /// The JSON is the first `count` bytes of `buffer`; the bytes after it are room to write
    /// into.
    private var buffer: Buffer
    private var count = 0
    /// Objects and arrays open: at the top level no value is preceded by a comma.
    private var depth = 0
    /// True between a key and its value: the value needs no comma.
    private var afterKey = false

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 512) {
        buffer = Buffer(capacity: max(capacity, 32))
    }

    /// The JSON written so far, UTF-8.
    public var bytes: [UInt8] { Array(UnsafeBufferPointer(start: buffer.base, count: count)) }

    /// How many bytes are written so far: values written one after the other at the top level
    /// (no comma between them) are found again by the counts before and after each.
    public var byteCount: Int { count }

    /// The JSON as text.
    public var string: String {
        String(decoding: UnsafeBufferPointer(start: buffer.base, count: count), as: UTF8.self)
    }

    /// Opens an object (`{`); close it with ``endObject()``.
    public mutating func beginObject() {
        punctuation(UInt8(ascii: "{"))
        depth += 1
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        depth -= 1
        close(UInt8(ascii: "}"))
    }

    /// Opens an array (`[`); close it with ``endArray()``.
    public mutating func beginArray() {
        punctuation(UInt8(ascii: "["))
        depth += 1
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        depth -= 1
        close(UInt8(ascii: "]"))
    }

    /// Writes `"key":` inside an object; the next value call writes the value.
    public mutating func key(_ key: String) {
        quoted(key, colon: true)
        afterKey = true
    }

    /// Writes a string value, escaped.
    public mutating func string(_ value: String) {
        quoted(value, colon: false)
    }

    /// Writes an integer value.
    public mutating func int(_ value: some BinaryInteger) {
        if let exact = Int64(exactly: value) {
            decimal(exact)
        } else {
            raw(Array(String(value).utf8))
        }
    }

    /// Writes an integer value (the generic ``int(_:)`` is not specialized across modules: it
    /// went through `String(value)`, ~1,300 instructions a number).
    public mutating func int(_ value: Int64) {
        decimal(value)
    }

    /// Writes an integer value.
    public mutating func int(_ value: Int) {
        decimal(Int64(value))
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        if value { literal(0x6575_7274, count: 4) } else { literal(0x65_736C_6166, count: 5) }
    }

    /// Writes `null`.
    public mutating func null() {
        literal(0x6C6C_756E, count: 4)
    }

    /// Writes already-encoded JSON as a value (it must be valid JSON).
    public mutating func raw(_ json: some Collection<UInt8>) {
        let done: Void? = json.withContiguousStorageIfAvailable { raw(encoded: $0) }
        if done == nil { Array(json).withUnsafeBufferPointer { raw(encoded: $0) } }
    }

    /// `"key":"value"`, or `"key":null` for nil.
    public mutating func field(_ name: String, _ value: String?) {
        key(name)
        if let value { string(value) } else { null() }
    }

    /// `"key":123`.
    public mutating func field(_ name: String, _ value: some BinaryInteger) {
        key(name)
        int(value)
    }

    /// `"key":123`.
    public mutating func field(_ name: String, _ value: Int64) {
        key(name)
        int(value)
    }

    /// `"key":123`.
    public mutating func field(_ name: String, _ value: Int) {
        key(name)
        int(value)
    }

    // MARK: Members named by literals

    // The payloads on the hot path name their members with literals. A `String` key costs a
    // retain, a release and an escaping pass per member (~220 instructions, 39 members an
    // update, callgrind); a `StaticString` is copied as it is. Its text must need no escaping:
    // checked in debug builds.

    /// Writes `"name":` inside an object; the next value call writes the value.
    public mutating func memberName(_ name: StaticString) {
        assert(Self.needsNoEscaping(name), "member name \(name) needs escaping")
        let length = name.utf8CodeUnitCount
        var out = reserve(length + 4)
        out = commaIfDue(at: out)
        out[0] = UInt8(ascii: "\"")
        (out + 1).update(from: name.utf8Start, count: length)
        out[length + 1] = UInt8(ascii: "\"")
        out[length + 2] = UInt8(ascii: ":")
        advance(to: out + length + 3)
        afterKey = true
    }

    /// `"name":"value"`, or `"name":null` for nil.
    public mutating func member(_ name: StaticString, _ value: String?) {
        memberName(name)
        if let value { string(value) } else { null() }
    }

    /// `"name":123`.
    public mutating func member(_ name: StaticString, _ value: Int64) {
        memberName(name)
        decimal(value)
    }

    /// `"name":123`.
    public mutating func member(_ name: StaticString, _ value: Int) {
        memberName(name)
        decimal(Int64(value))
    }

    private static func needsNoEscaping(_ name: StaticString) -> Bool {
        guard name.hasPointerRepresentation else { return false }
        return UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount).allSatisfy {
            $0 >= 0x20 && $0 < 0x80 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\")
        }
    }

    /// `"name":` and a value the caller writes itself, already encoded, through `write`: at
    /// most `capacity` bytes at the pointer it gets; it returns how many it wrote. For small
    /// values of a fixed shape on the hot path (a flight's provenance, one per known field),
    /// where a write per member cost ~1,000 instructions a value (callgrind). The caller
    /// vouches that the bytes are one JSON value.
    public mutating func member(
        _ name: StaticString, encodedCapacity capacity: Int, _ write: (UnsafeMutablePointer<UInt8>) -> Int
    ) {
        memberName(name)
        afterKey = false
        let out = reserve(capacity)
        let written = write(out)
        precondition((0...capacity).contains(written))
        advance(to: out + written)
    }

    /// Writes a string value that needs no escaping (the caller vouches for it: ASCII without
    /// `"`, `\` or control characters, such as a formatted time), given by `write`, which fills
    /// at most `capacity` bytes and returns how many it wrote.
    public mutating func unescapedString(
        capacity: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) -> Int
    ) {
        var out = reserve(capacity + 3)
        out = commaIfDue(at: out)
        out[0] = UInt8(ascii: "\"")
        let written = write(UnsafeMutableBufferPointer(start: out + 1, count: capacity))
        precondition((0...capacity).contains(written))
        out[written + 1] = UInt8(ascii: "\"")
        advance(to: out + written + 2)
    }

    // MARK: - Writing

    // Each write reserves room once, writes through the pointer it gets and advances the
    // count to where it stopped. Writing through an array's `withUnsafeMutableBufferPointer`
    // kept each write's closure out of line, ~60 instructions a call (callgrind).

    /// Whether the next value needs a comma: not the first in its object or array (just after
    /// `{` or `[`), not after its key, not at the top level.
    @inline(__always)
    private mutating func needsComma() -> Bool {
        if afterKey {
            afterKey = false
            return false
        }
        guard depth > 0, count > 0 else { return false }
        let last = buffer.base[count - 1]
        return last != UInt8(ascii: "{") && last != UInt8(ascii: "[")
    }

    /// Writes a comma at `out` if one is due; returns where the value starts.
    @inline(__always)
    private mutating func commaIfDue(at out: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<UInt8> {
        guard needsComma() else { return out }
        out[0] = UInt8(ascii: ",")
        return out + 1
    }

    /// Where to write the next `room` bytes (at most): the end of the JSON, in a buffer that is
    /// this writer's alone and big enough.
    @inline(__always)
    private mutating func reserve(_ room: Int) -> UnsafeMutablePointer<UInt8> {
        if _slowPath(!isKnownUniquelyReferenced(&buffer) || count + room > buffer.capacity) {
            makeRoom(for: count + room)
        }
        return buffer.base + count
    }

    /// Takes the bytes written after ``reserve(_:)`` up to `end` into the JSON.
    @inline(__always)
    private mutating func advance(to end: UnsafeMutablePointer<UInt8>) {
        count = end - buffer.base
    }

    /// A buffer of this writer's own with room for `needed` bytes, the JSON copied over.
    private mutating func makeRoom(for needed: Int) {
        let capacity = needed > buffer.capacity ? max(needed, buffer.capacity * 2) : buffer.capacity
        let grown = Buffer(capacity: capacity)
        grown.base.update(from: buffer.base, count: count)
        buffer = grown
    }

    /// `{` or `[`, after a comma if one is due.
    private mutating func punctuation(_ byte: UInt8) {
        let out = commaIfDue(at: reserve(2))
        out[0] = byte
        advance(to: out + 1)
    }

    private mutating func close(_ byte: UInt8) {
        let out = reserve(1)
        out[0] = byte
        advance(to: out + 1)
    }

    /// Up to eight ASCII bytes given little-endian in `word` (`true`, `false`, `null`): the
    /// whole word is stored, the bytes after `length` are overwritten by what follows.
    private mutating func literal(_ word: UInt64, count length: Int) {
        let out = commaIfDue(at: reserve(9))
        UnsafeMutableRawPointer(out).storeBytes(of: word.littleEndian, as: UInt64.self)
        advance(to: out + length)
    }

    private mutating func raw(encoded json: UnsafeBufferPointer<UInt8>) {
        let out = commaIfDue(at: reserve(json.count + 1))
        if let base = json.baseAddress { out.update(from: base, count: json.count) }
        advance(to: out + json.count)
    }

    /// The digits of `value`, from the right.
    private mutating func decimal(_ value: Int64) {
        let out = commaIfDue(at: reserve(21))
        advance(to: out + Self.writeDecimal(value, to: out))
    }

    /// Writes the decimal digits of `value` (after a `-` when negative) at `out`, at most 20
    /// bytes, and returns how many; for values written by ``member(_:encodedCapacity:_:)``.
    public static func writeDecimal(_ value: Int64, to out: UnsafeMutablePointer<UInt8>) -> Int {
        var start = out
        var magnitude = value.magnitude
        if value < 0 {
            start[0] = UInt8(ascii: "-")
            start += 1
        }
        var digits = 1
        var bound: UInt64 = 10
        while digits < 20, magnitude >= bound {
            digits += 1
            bound = bound &* 10
        }
        // Two digits a division from the right: times in milliseconds have 13.
        var end = start + digits
        let length = end - out
        while magnitude >= 100 {
            let pair = Int(truncatingIfNeeded: magnitude % 100)
            magnitude /= 100
            end -= 2
            end[0] = UInt8(truncatingIfNeeded: pair / 10) &+ UInt8(ascii: "0")
            end[1] = UInt8(truncatingIfNeeded: pair % 10) &+ UInt8(ascii: "0")
        }
        if magnitude >= 10 {
            end[-2] = UInt8(truncatingIfNeeded: magnitude / 10) &+ UInt8(ascii: "0")
            end[-1] = UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0")
        } else {
            end[-1] = UInt8(truncatingIfNeeded: magnitude) &+ UInt8(ascii: "0")
        }
        return length
    }

    // MARK: - Escaping

    private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func quoted(_ text: String, colon: Bool) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { quoted(utf8: $0, colon: colon) }
        if done == nil { Array(text.utf8).withUnsafeBufferPointer { quoted(utf8: $0, colon: colon) } }
    }

    /// `"text"` (then `:` for a key), after a comma if one is due: the bytes the escapes add
    /// are counted first (eight at a time while there are none), then everything is written in
    /// one go, clean text copied whole.
    private mutating func quoted(utf8: UnsafeBufferPointer<UInt8>, colon: Bool) {
        let extra = Self.escapingExtra(utf8)
        var out = commaIfDue(at: reserve(utf8.count + extra + 4))
        out[0] = UInt8(ascii: "\"")
        out += 1
        if extra == 0 {
            if let base = utf8.baseAddress { out.update(from: base, count: utf8.count) }
            out += utf8.count
        } else {
            for byte in utf8 { out += Self.writeEscaped(byte, to: out) }
        }
        out[0] = UInt8(ascii: "\"")
        out += 1
        if colon {
            out[0] = UInt8(ascii: ":")
            out += 1
        }
        advance(to: out)
    }

    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// Whether any byte of `word` is a control character, `"` or `\`. Exact as a whole (a
    /// borrow only follows a byte that matched).
    @inline(__always)
    private static func mayNeedEscaping(_ word: UInt64) -> Bool {
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let zeroQuote = (quote &- ones) & ~quote
        let zeroBackslash = (backslash &- ones) & ~backslash
        let control = (word &- ones &* 0x20) & ~word
        return (zeroQuote | zeroBackslash | control) & highBits != 0
    }

    /// How many bytes escaping `utf8` adds: 1 for `\"`, `\\`, `\n`, `\r`, `\t`, 5 for `\u00XX`.
    /// Text of eight bytes or more is checked a word at a time (the last word overlapping the
    /// one before), shorter text a byte at a time; only text that needs escaping is counted.
    @inline(__always)
    private static func escapingExtra(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        guard let base = utf8.baseAddress else { return 0 }
        let count = utf8.count
        if count >= 8 {
            let raw = UnsafeRawPointer(base)
            var index = 0
            while index + 8 <= count {
                if mayNeedEscaping(raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) { return countEscapingExtra(utf8) }
                index += 8
            }
            if index < count, mayNeedEscaping(raw.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self)) {
                return countEscapingExtra(utf8)
            }
            return 0
        }
        for byte in utf8 where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
            return countEscapingExtra(utf8)
        }
        return 0
    }

    private static func countEscapingExtra(_ utf8: UnsafeBufferPointer<UInt8>) -> Int {
        var extra = 0
        for byte in utf8 {
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\n")
                || byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\t")
            {
                extra += 1
            } else if byte < 0x20 {
                extra += 5
            }
        }
        return extra
    }

    /// `byte`, escaped if JSON needs it; returns how many bytes it took.
    @inline(__always)
    private static func writeEscaped(_ byte: UInt8, to out: UnsafeMutablePointer<UInt8>) -> Int {
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"):
            out[0] = UInt8(ascii: "\\")
            out[1] = byte
            return 2
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
            out[0] = UInt8(ascii: "\\")
            out[1] = byte == UInt8(ascii: "\n") ? UInt8(ascii: "n") : byte == UInt8(ascii: "\r") ? UInt8(ascii: "r") : UInt8(ascii: "t")
            return 2
        case 0..<0x20:
            out[0] = UInt8(ascii: "\\")
            out[1] = UInt8(ascii: "u")
            out[2] = UInt8(ascii: "0")
            out[3] = UInt8(ascii: "0")
            out[4] = hexDigits[Int(byte >> 4)]
            out[5] = hexDigits[Int(byte & 0x0F)]
            return 6
        default:
            out[0] = byte
            return 1
        }
    }
}

/// The memory a ``JSONWriter`` writes into. A writer copies it before writing when another
/// copy of the writer shares it, so each buffer is only ever written by one writer.
private final class Buffer: @unchecked Sendable {
    let base: UnsafeMutablePointer<UInt8>
    let capacity: Int

    init(capacity: Int) {
        base = .allocate(capacity: capacity)
        self.capacity = capacity
    }

    deinit { base.deallocate() }
}
