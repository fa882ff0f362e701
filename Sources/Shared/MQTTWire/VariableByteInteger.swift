/// MQTT's Variable Byte Integer (MQTT 5.0 §1.5.5): seven bits a byte, low first, the high bit
/// for "more", at most four bytes. The one reader and writer of it: the fixed header's remaining
/// length, property lengths and identifiers.
enum VariableByteInteger {
    enum Reading {
        case value(Int, end: Int)
        /// The bytes end inside it.
        case incomplete
        /// A fourth byte still says "more".
        case tooLong
    }

    /// The integer at `start`, read no further than `end`.
    static func read(_ bytes: UnsafeRawBufferPointer, from start: Int, to end: Int) -> Reading {
        var value = 0
        var multiplier = 1
        var index = start
        for _ in 0..<4 {
            guard index < end else { return .incomplete }
            let byte = bytes[index]
            value += Int(byte & 0x7F) * multiplier
            index += 1
            if byte & 0x80 == 0 { return .value(value, end: index) }
            multiplier *= 128
        }
        return .tooLong
    }

    static func append(_ value: Int, to out: inout [UInt8]) {
        var rest = value
        repeat {
            var byte = UInt8(rest & 0x7F)
            rest >>= 7
            if rest > 0 { byte |= 0x80 }
            out.append(byte)
        } while rest > 0
    }

    static func size(_ value: Int) -> Int {
        value < 128 ? 1 : value < 16_384 ? 2 : value < 2_097_152 ? 3 : 4
    }
}

/// The largest remaining length a packet can declare (four bytes of variable byte integer).
let maximumRemainingLength = 268_435_455
