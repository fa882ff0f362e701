/// A TCP endpoint as written in the configuration: `10.20.0.5:7001`, `[::1]:7001`,
/// `localhost:7001`.
public struct HostPort: Sendable, Hashable, CustomStringConvertible {
    /// A host name, an IPv4 address, or an IPv6 address without brackets.
    public var host: String
    /// 1 to 65535.
    public var port: Int

    /// Nothing is validated here; ``init(parsing:)`` checks.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port` or `[IPv6]:port`, or throws what is wrong with it.
    public init(parsing text: String) throws(ParseProblem) {
        self = try Self.parse(text).get()
    }

    /// Parses `host:port` or `[IPv6]:port`, or says what is wrong with it.
    public static func parse(_ text: String) -> Result<HostPort, ParseProblem> {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(ParseProblem("expected [IPv6]:port, got \"\(text)\""))
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
            guard let address = IPAddress(String(host)), address.isIPv6 else {
                return .failure(ParseProblem("\"\(host)\" is not an IPv6 address"))
            }
        } else {
            guard let colon = text.lastIndex(of: ":") else {
                return .failure(ParseProblem("expected host:port, got \"\(text)\""))
            }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
            if host.contains(":") {
                return .failure(ParseProblem("an IPv6 address needs brackets: [\(host)]:\(portText)"))
            }
            if let problem = Self.problem(withHost: host) { return .failure(problem) }
        }
        guard !portText.isEmpty, portText.allSatisfy({ $0.isASCII && $0.isNumber }), let port = Int(portText),
            (1...65535).contains(port)
        else {
            return .failure(ParseProblem("port \"\(portText)\" is not a number from 1 to 65535"))
        }
        return .success(HostPort(host: String(host), port: port))
    }

    /// What is wrong with `host` as a host name or IPv4 address, or `nil` when it is fine.
    static func problem(withHost host: Substring) -> ParseProblem? {
        if host.isEmpty { return ParseProblem("the host is missing (write 0.0.0.0 to listen on every address)") }
        if host.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }) {
            return IPAddress(String(host)) == nil ? ParseProblem("\"\(host)\" is not an IPv4 address") : nil
        }
        let labels = host.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            host.utf8.count <= 253
            && labels.allSatisfy { label in
                (1...63).contains(label.count) && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
        return valid ? nil : ParseProblem("\"\(host)\" is not a host name or address")
    }

    /// `host:port`, with brackets around an IPv6 address.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Why a value (an address, a network) could not be parsed: a message for an operator.
public struct ParseProblem: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, e.g. `port "0" is not a number from 1 to 65535`.
    public var message: String

    /// A problem saying `message`.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
