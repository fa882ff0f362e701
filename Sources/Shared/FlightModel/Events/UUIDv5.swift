/// Name-based UUIDs, version 5 (RFC 9562 §5.5, formerly RFC 4122): the first 16 bytes of
/// SHA-1(namespace bytes ‖ UTF-8 name), with the version and variant bits set.
public enum UUIDv5 {
    /// The RFC URL namespace, `6ba7b811-9dad-11d1-80b4-00c04fd430c8`.
    public static let urlNamespace: [UInt8] = [
        0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
    ]
    /// The RFC DNS namespace, `6ba7b810-9dad-11d1-80b4-00c04fd430c8`.
    public static let dnsNamespace: [UInt8] = [
        0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
    ]

    /// The 16 bytes of uuid5(namespace, name).
    public static func make(namespace: [UInt8], name: String) -> [UInt8] {
        var name = name
        return name.withUTF8 { make(namespace: namespace, name: $0) }
    }

    /// The 16 bytes of uuid5(namespace, name) for a name given as UTF-8.
    public static func make(namespace: [UInt8], name: [UInt8]) -> [UInt8] {
        name.withUnsafeBufferPointer { make(namespace: namespace, name: $0) }
    }

    private static func make(namespace: [UInt8], name utf8: UnsafeBufferPointer<UInt8>) -> [UInt8] {
        // The namespace and the name side by side on the stack (event names are short).
        let digest = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: namespace.count + utf8.count) { message in
            _ = message.initialize(from: namespace)
            _ = UnsafeMutableBufferPointer(rebasing: message[namespace.count...]).initialize(from: utf8)
            return SHA1.hash(UnsafeRawBufferPointer(message))
        }
        return [UInt8](unsafeUninitializedCapacity: 16) { bytes, count in
            for index in 0..<16 { bytes[index] = digest[index] }
            bytes[6] = (bytes[6] & 0x0F) | 0x50  // version 5
            bytes[8] = (bytes[8] & 0x3F) | 0x80  // RFC variant
            count = 16
        }
    }

    /// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, lower-case hex.
    public static func string(_ bytes: [UInt8]) -> String {
        precondition(bytes.count == 16, "a UUID has 16 bytes, not \(bytes.count)")
        return String(unsafeUninitializedCapacity: 36) { text in
            var at = 0
            for (index, byte) in bytes.enumerated() {
                if index == 4 || index == 6 || index == 8 || index == 10 {
                    text[at] = UInt8(ascii: "-")
                    at += 1
                }
                text[at] = hexDigit(byte >> 4)
                text[at + 1] = hexDigit(byte & 0x0F)
                at += 2
            }
            return at
        }
    }

    @inline(__always)
    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") &+ nibble : UInt8(ascii: "a") &+ (nibble &- 10)
    }

    /// The 16 bytes of a UUID in its 36-character text form (either case); nil for anything else.
    public static func bytes(_ text: some StringProtocol) -> [UInt8]? {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return nil }
        var bytes: [UInt8] = []
        var high: UInt8?
        for (index, character) in utf8.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard character == UInt8(ascii: "-") else { return nil }
                continue
            }
            let nibble: UInt8
            switch character {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = character - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = character - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = character - UInt8(ascii: "A") + 10
            default: return nil
            }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }
}
