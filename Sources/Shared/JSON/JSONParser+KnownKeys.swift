extension JSONParser {
    /// Member names that most documents a caller parses have (a feed's field names): the parser
    /// gives each of them the one `String` made here instead of a new one per member (~190
    /// instructions a name). Any other name is made as usual; the values are the same.
    public struct KnownKeys: Sendable {
        /// One slot of the table (open addressing, ``slot(_:_:_:)``): a name's bytes packed
        /// little-endian into two words, its length (-1: empty slot), where it first stands in
        /// the list the table was made from, and the name.
        private struct Slot: Sendable {
            var low: UInt64 = 0
            var high: UInt64 = 0
            var count = -1
            var position = -1
            var name = ""
        }

        /// One array, so that a copy of the table (every parse takes one) retains one buffer,
        /// not one per column.
        private let slots: [Slot]

        /// Names longer than this are made as usual.
        private static let maximumCount = 16
        private static let slotCount = 256

        /// A table of these names (repeats count once; names over 16 bytes are left out).
        public init(_ names: some Sequence<String>) {
            var slots = [Slot](repeating: Slot(), count: Self.slotCount)
            var stored = 0
            for (position, name) in names.enumerated() where name.utf8.count <= Self.maximumCount {
                let (low, high) = Array(name.utf8).withUnsafeBufferPointer(Self.words)
                var slot = Self.slot(low, high, name.utf8.count)
                while slots[slot].count >= 0, slots[slot].name != name { slot = (slot + 1) & (Self.slotCount - 1) }
                guard slots[slot].count < 0 else { continue }
                precondition(stored < Self.slotCount / 2, "at most \(Self.slotCount / 2) known keys")
                slots[slot] = Slot(low: low, high: high, count: name.utf8.count, position: position, name: name)
                stored += 1
            }
            self.slots = slots
        }

        /// The known name spelled exactly by the `count` bytes of `buffer` from `start`, or nil.
        func name(in buffer: UnsafeBufferPointer<UInt8>, from start: Int, count: Int) -> String? {
            lookUp(in: buffer, from: start, count: count)?.name
        }

        /// ``name(in:from:count:)`` with where the name first stands in the list the table was
        /// made from.
        func lookUp(in buffer: UnsafeBufferPointer<UInt8>, from start: Int, count: Int) -> (name: String, position: Int)? {
            guard count <= 16 else { return nil }
            let low: UInt64
            let high: UInt64
            if let base = buffer.baseAddress, start + 16 <= buffer.count {
                // Two loads, then the bytes after the name masked off.
                let first = UInt64(littleEndian: UnsafeRawPointer(base + start).loadUnaligned(as: UInt64.self))
                let second = UInt64(littleEndian: UnsafeRawPointer(base + start + 8).loadUnaligned(as: UInt64.self))
                low = count >= 8 ? first : first & ((1 << (8 * UInt64(count))) - 1)
                high = count >= 16 ? second : count <= 8 ? 0 : second & ((1 << (8 * UInt64(count - 8))) - 1)
            } else {
                (low, high) = Self.words(UnsafeBufferPointer(rebasing: buffer[start..<start + count]))
            }
            var slot = Self.slot(low, high, count)
            return slots.withUnsafeBufferPointer { slots in
                while true {
                    let known = slots[slot].count
                    if known < 0 { return nil }
                    if known == count, slots[slot].low == low, slots[slot].high == high {
                        return (slots[slot].name, slots[slot].position)
                    }
                    slot = (slot + 1) & (Self.slotCount - 1)
                }
            }
        }

        /// Up to 16 bytes, little-endian: the first eight in the low word.
        private static func words(_ bytes: UnsafeBufferPointer<UInt8>) -> (UInt64, UInt64) {
            var words: (UInt64, UInt64) = (0, 0)
            for (offset, byte) in bytes.enumerated() {
                if offset < 8 {
                    words.0 |= UInt64(byte) << (8 * offset)
                } else {
                    words.1 |= UInt64(byte) << (8 * (offset - 8))
                }
            }
            return words
        }

        private static func slot(_ low: UInt64, _ high: UInt64, _ count: Int) -> Int {
            Int(truncatingIfNeeded: ((low ^ (high &* 31) ^ UInt64(count)) &* 0x9E37_79B9_7F4A_7C15) >> 56)
        }
    }
}
