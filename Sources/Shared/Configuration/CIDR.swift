/// An IPv4 or IPv6 network such as `10.20.0.0/24` or `fd00::/8`; a bare address is a single
/// host (`/32` or `/128`).
public struct CIDR: Sendable, Hashable, CustomStringConvertible {
    private let network: IPAddress
    /// The number of leading bits that must match: 0 to 32 (IPv4) or 128 (IPv6).
    public let prefixLength: Int

    /// `127.0.0.0/8`
    public static let loopbackIPv4 = CIDR(network: IPAddress(bytes: [127, 0, 0, 0], isIPv6: false), prefixLength: 8)
    /// `::1/128`
    public static let loopbackIPv6 = CIDR(
        network: IPAddress(bytes: Array(repeating: 0, count: 15) + [1], isIPv6: true), prefixLength: 128)

    private init(network: IPAddress, prefixLength: Int) {
        self.network = network
        self.prefixLength = prefixLength
    }

    /// Parses a network or an address, or throws what is wrong with it.
    public init(parsing text: String) throws(ParseProblem) {
        self = try Self.parse(text).get()
    }

    /// Parses a network (`10.20.0.0/24`) or an address (`10.20.0.5`), or says what is wrong.
    /// Bits set past the prefix (`10.20.0.5/24`) are refused: they are usually a typo.
    public static func parse(_ text: String) -> Result<CIDR, ParseProblem> {
        let parts = text.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        guard let address = IPAddress(String(parts[0])), !parts[0].contains("%") else {
            return .failure(ParseProblem("\"\(text)\" is not an address or network (expected e.g. 10.20.0.0/24)"))
        }
        let maximum = address.isIPv6 ? 128 : 32
        var length = maximum
        if parts.count == 2 {
            guard parts[1].allSatisfy({ $0.isASCII && $0.isNumber }), let parsed = Int(parts[1]),
                (0...maximum).contains(parsed)
            else {
                return .failure(ParseProblem("prefix length in \"\(text)\" must be 0 to \(maximum)"))
            }
            length = parsed
        }
        let network = address.masked(to: length)
        guard network == address else {
            return .failure(
                ParseProblem(
                    "\"\(text)\" has bits set past the prefix: write \(network)/\(length) for the network "
                        + "or \(address)/\(maximum) for one host"))
        }
        return .success(CIDR(network: network, prefixLength: length))
    }

    /// True when `ipAddress` (text, as a socket reports it) is inside this network. An
    /// IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) matches IPv4 networks; a zone (`%eth0`) is
    /// ignored. Text that is not an address matches nothing.
    public func contains(ipAddress: String) -> Bool {
        guard var address = IPAddress(ipAddress) else { return false }
        if !network.isIPv6, let mapped = address.ipv4Mapped { address = mapped }
        guard address.isIPv6 == network.isIPv6 else { return false }
        return address.masked(to: prefixLength) == network
    }

    /// `10.20.0.0/24`, `fd00::/8`
    public var description: String { "\(network)/\(prefixLength)" }
}
