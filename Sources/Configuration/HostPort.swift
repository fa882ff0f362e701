import Foundation

/// `host:port`, `[v6]:port` or `name:port`.
public struct HostPort: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses the text, or says what is wrong with it.
    public static func parse(_ text: String) -> Result<HostPort, ParseProblem> {
        var host: Substring
        var portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(ParseProblem("expected [IPv6]:port, got \"\(text)\""))
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard IPAddress.parse(String(host))?.isIPv6 == true else {
                return .failure(ParseProblem("\"\(host)\" is not an IPv6 address"))
            }
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else {
                return .failure(ParseProblem("expected host:port, got \"\(text)\""))
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !host.isEmpty, host.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "." || $0 == "-" || $0 == ":" }) else {
            return .failure(ParseProblem("\"\(host)\" is not a host name or address"))
        }
        guard let port = Int(portText), (1...65535).contains(port) else {
            return .failure(ParseProblem("port \"\(portText)\" is not a number from 1 to 65535"))
        }
        return .success(HostPort(host: String(host), port: port))
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a value could not be parsed.
public struct ParseProblem: Error, Sendable, Equatable {
    public var message: String
    public init(_ message: String) { self.message = message }
}

/// An IPv4 or IPv6 network, e.g. `10.20.0.0/24`; a bare address is a single host.
public struct CIDR: Sendable, Equatable, CustomStringConvertible {
    private let network: IPAddress
    public let prefixLength: Int

    public static func parse(_ text: String) -> Result<CIDR, ParseProblem> {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let address = IPAddress.parse(String(parts[0])) else {
            return .failure(ParseProblem("\"\(text)\" is not an address or network (expected e.g. 10.20.0.0/24)"))
        }
        let maximum = address.isIPv6 ? 128 : 32
        var length = maximum
        if parts.count == 2 {
            guard let parsed = Int(parts[1]), (0...maximum).contains(parsed) else {
                return .failure(ParseProblem("prefix length in \"\(text)\" must be 0 to \(maximum)"))
            }
            length = parsed
        }
        return .success(CIDR(network: address.masked(to: length), prefixLength: length))
    }

    /// True when `ipAddress` (text, as a socket reports it) is inside this network. An
    /// IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) matches IPv4 networks.
    public func contains(ipAddress: String) -> Bool {
        guard var address = IPAddress.parse(ipAddress) else { return false }
        if !network.isIPv6, address.isIPv6, let mapped = address.ipv4Mapped { address = mapped }
        guard address.isIPv6 == network.isIPv6 else { return false }
        return address.masked(to: prefixLength) == network
    }

    public var description: String { "\(network)/\(prefixLength)" }
}

/// An IP address as 16 bytes (IPv4 in the first 4).
struct IPAddress: Equatable, CustomStringConvertible {
    var bytes: [UInt8]
    var isIPv6: Bool

    static func parse(_ text: String) -> IPAddress? {
        if text.contains(":") { return parseIPv6(text) }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var bytes: [UInt8] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isNumber), let value = UInt8(part) else { return nil }
            bytes.append(value)
        }
        return IPAddress(bytes: bytes, isIPv6: false)
    }

    private static func parseIPv6(_ text: String) -> IPAddress? {
        var text = Substring(text)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }  // zone id
        let halves = text.components(separatedBy: "::")
        guard halves.count <= 2 else { return nil }
        func groups(_ part: String) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            let pieces = part.split(separator: ":", omittingEmptySubsequences: false)
            for (index, piece) in pieces.enumerated() {
                if index == pieces.count - 1, piece.contains("."), let v4 = IPAddress.parse(String(piece)), !v4.isIPv6 {
                    result.append(UInt16(v4.bytes[0]) << 8 | UInt16(v4.bytes[1]))
                    result.append(UInt16(v4.bytes[2]) << 8 | UInt16(v4.bytes[3]))
                    continue
                }
                guard (1...4).contains(piece.count), let value = UInt16(piece, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        var all = head
        if halves.count == 2 {
            guard let tail = groups(halves[1]), head.count + tail.count < 8 else { return nil }
            all += Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        }
        guard all.count == 8 else { return nil }
        return IPAddress(bytes: all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }, isIPv6: true)
    }

    var ipv4Mapped: IPAddress? {
        guard isIPv6, bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF else { return nil }
        return IPAddress(bytes: Array(bytes[12..<16]), isIPv6: false)
    }

    func masked(to length: Int) -> IPAddress {
        var copy = bytes
        for index in copy.indices {
            let bitsHere = max(0, min(8, length - index * 8))
            copy[index] &= bitsHere == 8 ? 0xFF : UInt8(truncatingIfNeeded: 0xFF << (8 - bitsHere))
        }
        return IPAddress(bytes: copy, isIPv6: isIPv6)
    }

    var description: String {
        if !isIPv6 { return bytes.map(String.init).joined(separator: ".") }
        return stride(from: 0, to: 16, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
            .joined(separator: ":")
    }
}
