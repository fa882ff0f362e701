/// Appends JSON to a byte buffer without building intermediate values: the payloads on the
/// hot path (flight state, events) are written straight into their bytes.
public struct JSONWriter: Sendable {
    /// The JSON written so far, UTF-8.
    public private(set) var bytes: [UInt8] = []
    /// Objects and arrays open: at the top level no value is preceded by a comma.
    private var depth = 0

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 512) {
        bytes.reserveCapacity(capacity)
    }

    /// The JSON as text.
    public var string: String { String(decoding: bytes, as: UTF8.self) }

    /// Opens an object (`{`); close it with ``endObject()``.
    public mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        depth += 1
    }

    /// Closes the innermost object.
    public mutating func endObject() {
        depth -= 1
        bytes.append(UInt8(ascii: "}"))
    }

    /// Opens an array (`[`); close it with ``endArray()``.
    public mutating func beginArray() {
        separate()
        bytes.append(UInt8(ascii: "["))
        depth += 1
    }

    /// Closes the innermost array.
    public mutating func endArray() {
        depth -= 1
        bytes.append(UInt8(ascii: "]"))
    }

    /// Writes `"key":` inside an object; the next value call writes the value.
    public mutating func key(_ key: String) {
        separate()
        appendQuoted(key)
        bytes.append(UInt8(ascii: ":"))
        afterKey = true
    }

    /// True between a key and its value: the value needs no comma.
    private var afterKey = false

    /// Writes a string value, escaped.
    public mutating func string(_ value: String) {
        separate()
        appendQuoted(value)
    }

    /// Writes an integer value.
    public mutating func int(_ value: some BinaryInteger) {
        separate()
        if let exact = Int64(exactly: value) {
            appendDecimal(exact)
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
    }

    /// Writes an integer value (the generic ``int(_:)`` is not specialized across modules: it
    /// went through `String(value)`, ~1,300 instructions a number).
    public mutating func int(_ value: Int64) {
        separate()
        appendDecimal(value)
    }

    /// Writes an integer value.
    public mutating func int(_ value: Int) {
        separate()
        appendDecimal(Int64(value))
    }

    /// Writes `true` or `false`.
    public mutating func bool(_ value: Bool) {
        separate()
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// Writes `null`.
    public mutating func null() {
        separate()
        bytes.append(contentsOf: "null".utf8)
    }

    /// Writes already-encoded JSON as a value (it must be valid JSON).
    public mutating func raw(_ json: some Collection<UInt8>) {
        separate()
        bytes.append(contentsOf: json)
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

    /// Writes a string value that needs no escaping (the caller vouches for it: ASCII without
    /// `"`, `\` or control characters, such as a formatted time), given by `write`, which fills
    /// at most `capacity` bytes and returns how many it wrote.
    public mutating func unescapedString(
        capacity: Int, _ write: (UnsafeMutableBufferPointer<UInt8>) -> Int
    ) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { buffer in
            let count = write(buffer)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<count]))
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// A comma unless the value is the first in its object or array (just after `{` or `[`),
    /// follows its key, or stands at the top level.
    @inline(__always)
    private mutating func separate() {
        if afterKey {
            afterKey = false
            return
        }
        guard depth > 0, let last = bytes.last else { return }
        if last != UInt8(ascii: "{") && last != UInt8(ascii: "[") { bytes.append(UInt8(ascii: ",")) }
    }

    /// Digits of `value`, written into a small stack buffer from the right.
    private mutating func appendDecimal(_ value: Int64) {
        var magnitude = value.magnitude
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        if magnitude < 10 {
            bytes.append(UInt8(truncatingIfNeeded: magnitude) &+ UInt8(ascii: "0"))
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buffer in
            var start = 20
            while magnitude > 0 {
                start -= 1
                buffer[start] = UInt8(truncatingIfNeeded: magnitude % 10) &+ UInt8(ascii: "0")
                magnitude /= 10
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// `"text"`, escaped. Most strings need no escaping: they are checked eight bytes at a time
    /// and copied whole; the others are copied in runs between the bytes that need it.
    private mutating func appendQuoted(_ text: String) {
        let done: Void? = text.utf8.withContiguousStorageIfAvailable { appendQuoted(utf8: $0) }
        if done == nil { Array(text.utf8).withUnsafeBufferPointer { appendQuoted(utf8: $0) } }
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

    @inline(__always)
    private static func needsEscaping(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func appendQuoted(utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var clean = 0
        if let base = utf8.baseAddress {
            let raw = UnsafeRawPointer(base)
            while clean + 8 <= utf8.count, !Self.mayNeedEscaping(raw.loadUnaligned(fromByteOffset: clean, as: UInt64.self)) {
                clean += 8
            }
            while clean < utf8.count, !Self.needsEscaping(utf8[clean]) { clean += 1 }
        }
        if clean == utf8.count {
            bytes.append(contentsOf: utf8)
        } else {
            appendEscaped(utf8, from: clean)
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Copies `utf8`, whose bytes before `start` need no escaping, escaping the rest.
    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, from start: Int) {
        var runStart = 0
        for index in start..<utf8.count {
            let byte = utf8[index]
            guard Self.needsEscaping(byte) else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
            runStart = index + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case UInt8(ascii: "\n"): bytes.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): bytes.append(UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): bytes.append(UInt8(ascii: "t"))
            default:
                bytes.append(contentsOf: "u00".utf8)
                bytes.append(Self.hexDigits[Int(byte >> 4)])
                bytes.append(Self.hexDigits[Int(byte & 0x0F)])
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
    }
}
