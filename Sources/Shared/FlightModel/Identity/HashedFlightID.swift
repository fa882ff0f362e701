/// A flight id with its hash worked out once, when the key is made: the flights in memory,
/// the batch's bookkeeping and the boards look flights up by id several times per update, and
/// hashing the id's text each time (SipHash over ~17 bytes, then comparing) cost ~400
/// instructions a lookup (callgrind). A lookup now hashes one integer.
///
/// The hash is the standard library's (seeded per process), so ids that collide cannot be
/// chosen by a feed.
public struct HashedFlightID: Hashable, Sendable, CustomStringConvertible {
    /// The flight id, e.g. `LX1234-20261124-D`.
    public let text: String
    private let hashBits: Int

    /// The id `text`, hashed.
    public init(_ text: String) {
        var hasher = Hasher()
        hasher.combine(text)
        self.init(text, hashBits: hasher.finalize())
    }

    private init(_ text: String, hashBits: Int) {
        self.text = text
        self.hashBits = hashBits
    }

    public static func == (lhs: HashedFlightID, rhs: HashedFlightID) -> Bool {
        lhs.hashBits == rhs.hashBits && lhs.text == rhs.text
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(hashBits) }

    /// ``text``.
    public var description: String { text }
}
