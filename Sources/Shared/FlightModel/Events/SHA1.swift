/// SHA-1 (FIPS 180-4), for UUID v5 names only: not for anything that needs security.
///
/// One event id per event is hashed on the pipeline's hot path, so the blocks are read in
/// place and the message schedule lives on the stack: no padded copy, no array per call.
enum SHA1 {
    /// The 20-byte digest of `message`.
    static func hash(_ message: [UInt8]) -> [UInt8] {
        message.withUnsafeBufferPointer { hash(UnsafeRawBufferPointer($0)) }
    }

    /// The 20-byte digest of `message`.
    static func hash(_ message: UnsafeRawBufferPointer) -> [UInt8] {
        var state: (UInt32, UInt32, UInt32, UInt32, UInt32) = (
            0x6745_2301, 0xEFCD_AB89, 0x98BA_DCFE, 0x1032_5476, 0xC3D2_E1F0
        )
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 80) { schedule in
            let whole = message.count / 64 * 64
            var offset = 0
            while offset < whole {
                compress(UnsafeRawBufferPointer(rebasing: message[offset..<(offset + 64)]), &state, schedule)
                offset += 64
            }
            // The rest, 0x80, zeros and the length in bits: one block, or two when fewer than
            // nine bytes are left for the marker and the length.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { tail in
                let rest = message.count - whole
                let blocks = rest + 9 <= 64 ? 1 : 2
                let last = UnsafeMutableRawBufferPointer(start: tail.baseAddress, count: blocks * 64)
                last.initializeMemory(as: UInt8.self, repeating: 0)
                if rest > 0 { last.copyMemory(from: UnsafeRawBufferPointer(rebasing: message[whole...])) }
                last[rest] = 0x80
                last.storeBytes(of: (UInt64(message.count) &* 8).bigEndian, toByteOffset: blocks * 64 - 8, as: UInt64.self)
                for block in 0..<blocks {
                    compress(UnsafeRawBufferPointer(rebasing: last[(block * 64)..<(block * 64 + 64)]), &state, schedule)
                }
            }
        }
        return [UInt8](unsafeUninitializedCapacity: 20) { digest, count in
            let raw = UnsafeMutableRawBufferPointer(digest)
            for (index, word) in [state.0, state.1, state.2, state.3, state.4].enumerated() {
                raw.storeBytes(of: word.bigEndian, toByteOffset: index * 4, as: UInt32.self)
            }
            count = 20
        }
    }

    /// One 64-byte block into `state`.
    private static func compress(
        _ block: UnsafeRawBufferPointer, _ state: inout (UInt32, UInt32, UInt32, UInt32, UInt32),
        _ w: UnsafeMutableBufferPointer<UInt32>
    ) {
        for i in 0..<16 { w[i] = UInt32(bigEndian: block.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self)) }
        for i in 16..<80 { w[i] = rotate(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1) }
        var (a, b, c, d, e) = state
        for i in 0..<20 { step(&a, &b, &c, &d, &e, (b & c) | (~b & d), 0x5A82_7999, w[i]) }
        for i in 20..<40 { step(&a, &b, &c, &d, &e, b ^ c ^ d, 0x6ED9_EBA1, w[i]) }
        for i in 40..<60 { step(&a, &b, &c, &d, &e, (b & c) | (b & d) | (c & d), 0x8F1B_BCDC, w[i]) }
        for i in 60..<80 { step(&a, &b, &c, &d, &e, b ^ c ^ d, 0xCA62_C1D6, w[i]) }
        state = (state.0 &+ a, state.1 &+ b, state.2 &+ c, state.3 &+ d, state.4 &+ e)
    }

    @inline(__always)
    private static func step(
        _ a: inout UInt32, _ b: inout UInt32, _ c: inout UInt32, _ d: inout UInt32, _ e: inout UInt32,
        _ f: UInt32, _ k: UInt32, _ word: UInt32
    ) {
        let temp = rotate(a, 5) &+ f &+ e &+ k &+ word
        (e, d, c, b, a) = (d, c, rotate(b, 30), a, temp)
    }

    @inline(__always)
    private static func rotate(_ value: UInt32, _ bits: UInt32) -> UInt32 { value << bits | value >> (32 - bits) }
}
