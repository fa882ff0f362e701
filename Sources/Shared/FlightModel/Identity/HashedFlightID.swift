/// A flight id with its hash worked out once, when the key is made: the flights in memory,
/// the batch's bookkeeping and the boards look flights up by id several times per update, and
/// hashing the id's text each time (SipHash over ~17 bytes, then comparing) cost ~400
/// instructions a lookup (callgrind). A lookup now mixes one integer and compares four words.
///
/// The hash is the standard library's (seeded per process), so ids that collide cannot be
/// chosen by a feed.
public struct HashedFlightID: Hashable, Sendable, CustomStringConvertible {
    /// The flight id, e.g. `LX1234-20261124-D`.
    public let text: String
    private let hashBits: Int
    /// The id's first 24 UTF-8 bytes, little-endian, zero after its end: a flight id is at most
    /// 19 bytes, so equal heads and lengths are equal ids without comparing the strings (which
    /// cost ~70 instructions a lookup through the string comparison's general path).
    private let head: (UInt64, UInt64, UInt64)
    private let count: Int

    /// The id `text`, hashed.
    public init(_ text: String) {
        var text = text
        let head = text.withUTF8 { Self.head(of: UnsafeRawBufferPointer($0)) }
        self.init(text, head: head, count: text.utf8.count)
    }

    /// The id whose UTF-8 bytes are `text`, given again as its first 24 bytes (`head`, zero
    /// after the end) and their number: a key built from bytes has them at hand.
    init(_ text: String, head: (UInt64, UInt64, UInt64), count: Int) {
        var hasher = Hasher()
        hasher.combine(head.0)
        hasher.combine(head.1)
        hasher.combine(head.2)
        hasher.combine(count)
        if count > Self.headBytes { hasher.combine(text) }
        self.text = text
        self.hashBits = hasher.finalize()
        self.head = head
        self.count = count
    }

    private static let headBytes = 24

    /// The first 24 bytes of `bytes`, little-endian, zero after its end.
    private static func head(of bytes: UnsafeRawBufferPointer) -> (UInt64, UInt64, UInt64) {
        var head: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &head) { words in
            words.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes.prefix(headBytes)))
        }
        return (UInt64(littleEndian: head.0), UInt64(littleEndian: head.1), UInt64(littleEndian: head.2))
    }

    public static func == (lhs: HashedFlightID, rhs: HashedFlightID) -> Bool {
        guard lhs.hashBits == rhs.hashBits, lhs.count == rhs.count, lhs.head == rhs.head else { return false }
        return lhs.count <= headBytes || lhs.text == rhs.text
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hashBits) }

    /// What a dictionary or set asks for instead of ``hash(into:)``: the hash made once, mixed
    /// with the table's seed (splitmix64's finalizer), so that tables of other sizes still
    /// place the ids apart. Through a new `Hasher` each lookup cost ~250 instructions more
    /// (SipHash's seeding and finalization, callgrind), and the engine, the batch and the
    /// boards look each update's flight up a dozen times.
    public func _rawHashValue(seed: Int) -> Int {
        var mixed = UInt64(UInt(bitPattern: hashBits)) ^ UInt64(UInt(bitPattern: seed))
        mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
        mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 31))
    }

    /// ``text``.
    public var description: String { text }
}
