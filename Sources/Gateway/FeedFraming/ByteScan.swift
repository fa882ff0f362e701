/// Finds delimiter bytes in a read buffer eight bytes at a time, so the framers do not walk
/// the bytes of an 8 kB frame one by one.
///
/// A framer reached through `any Framer` runs its generic `consume` unspecialised: a loop over
/// `some Collection<UInt8>` there cost ~90 instructions a byte in the daemon (`IteratorProtocol`
/// dispatch per byte; docs/PERFORMANCE.md, "A day of real formats"). The framers take the
/// read's contiguous storage once and scan it here, on a concrete `UnsafeBufferPointer`.
enum ByteScan {
    private static let ones: UInt64 = 0x0101_0101_0101_0101
    private static let highBits: UInt64 = 0x8080_8080_8080_8080

    /// The index of the first `byte` in `buffer[start...]`, or `buffer.count`.
    static func firstIndex(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        let pattern = ones &* UInt64(byte)
        var index = start
        if let base = UnsafeRawPointer(buffer.baseAddress) {
            while index &+ 8 <= buffer.count {
                // A zero byte in `word ^ pattern` is a match; the lowest flagged byte is exact.
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self)) ^ pattern
                let zeros = (word &- ones) & ~word & highBits
                if zeros != 0 { return index &+ zeros.trailingZeroBitCount / 8 }
                index &+= 8
            }
        }
        while index < buffer.count, buffer[index] != byte { index &+= 1 }
        return index
    }

    /// The index of the first SOH, STX or ETX (0x01–0x03) in `buffer[start...]`, or
    /// `buffer.count`.
    static func firstFramingControl(in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var index = start
        if let base = UnsafeRawPointer(buffer.baseAddress) {
            while index &+ 8 <= buffer.count {
                // Flags the words holding a byte below 4 (NUL too: those are checked byte by byte).
                let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                if (word &- ones &* 4) & ~word & highBits != 0 {
                    for candidate in index..<index &+ 8 where isFramingControl(buffer[candidate]) { return candidate }
                }
                index &+= 8
            }
        }
        while index < buffer.count, !isFramingControl(buffer[index]) { index &+= 1 }
        return index
    }

    @inline(__always)
    static func isFramingControl(_ byte: UInt8) -> Bool { byte &- 1 < 3 }
}
