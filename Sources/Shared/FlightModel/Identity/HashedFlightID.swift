/// A flight id with its hash worked out once, when the key is made: the flights in memory,
/// the batch's bookkeeping and the boards look flights up by id several times per update, and
/// hashing the id's text each time (SipHash over ~17 bytes, then comparing) cost ~400
/// instructions a lookup (callgrind). A lookup now mixes one integer and compares the texts.
///
/// The hash is the standard library's (seeded per process), so ids that collide cannot be
/// chosen by a feed.
///
/// Keeping the id's first 24 bytes beside the text, to compare two ids by words rather than
/// as strings, saved ~500 instructions an update but 4–5 MB at the 10,000-flight day's peak
/// (every table of flights holds ids): tried and left out.
public struct HashedFlightID: Hashable, Sendable, CustomStringConvertible {
    /// The flight id, e.g. `LX1234-20261124-D`.
    public let text: String
    private let hashBits: Int

    /// The id `text`, hashed.
    public init(_ text: String) {
        var hasher = Hasher()
        hasher.combine(text)
        self.text = text
        self.hashBits = hasher.finalize()
    }

    public static func == (lhs: HashedFlightID, rhs: HashedFlightID) -> Bool {
        lhs.hashBits == rhs.hashBits && lhs.text == rhs.text
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
