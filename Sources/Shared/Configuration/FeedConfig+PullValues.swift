/// The value kinds the pull transports add: durations and a table of request headers.
extension TableReader {
    /// A duration: `"200ms"`, `"30s"`, `"5m"`, `"1h"`, or an integer of seconds; nil when absent
    /// or wrong (then reported).
    mutating func duration(_ key: String, range: ClosedRange<Duration>) -> Duration? {
        guard let node = lookUpKey(key) else { return nil }
        let label = path.isEmpty ? key : "\(path).\(key)"
        let value: Duration?
        switch node.value {
        case .integer(let seconds): value = .seconds(seconds)
        case .string(let text): value = Self.parseDuration(text)
        default: value = nil
        }
        guard let value else {
            loader.report(node.line, label, "expected a duration such as \"200ms\", \"30s\", \"5m\" or \"1h\"")
            return nil
        }
        guard range.contains(value) else {
            loader.report(
                node.line, label,
                "\(Self.text(value)) is out of range (\(Self.text(range.lowerBound)) to \(Self.text(range.upperBound)))")
            return nil
        }
        return value
    }

    /// A duration as written in the file: `200ms`, `30s`.
    static func text(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return milliseconds % 1000 == 0 ? "\(seconds)s" : "\(milliseconds)ms"
    }

    /// `"200ms"`, `"30s"`, `"5m"`, `"1h"`: digits and one unit.
    static func parseDuration(_ text: String) -> Duration? {
        let digits = text.prefix { $0.isASCII && $0.isNumber }
        guard !digits.isEmpty, digits.count <= 9, let number = Int(digits) else { return nil }
        switch text.dropFirst(digits.count) {
        case "ms": return .milliseconds(number)
        case "s": return .seconds(number)
        case "m": return .seconds(number * 60)
        case "h": return .seconds(number * 3600)
        default: return nil
        }
    }

    /// Header names the http-poll feed sets itself.
    static let managedHeaders: Set<String> = [
        "authorization", "if-none-match", "if-modified-since", "host", "content-length", "transfer-encoding",
        "connection",
    ]

    /// A table of header name = value (strings); empty when absent.
    mutating func headers(_ key: String) -> [String: String] {
        guard let node = lookUpKey(key) else { return [:] }
        let label = path.isEmpty ? key : "\(path).\(key)"
        guard case .table(let table) = node.value else {
            loader.report(node.line, label, "expected a table such as { SOAPAction = \"FlightLegRQ\" }, found \(node.value.kindName)")
            return [:]
        }
        var result: [String: String] = [:]
        for (name, entry) in table.entries {
            let token = "!#$%&'*+-.^_`|~"
            let isToken = !name.isEmpty && name.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || token.unicodeScalars.contains($0)) }
            guard isToken else {
                loader.report(entry.line, "\(label).\(name)", "\"\(name)\" is not an HTTP header name")
                continue
            }
            guard !Self.managedHeaders.contains(name.lowercased()) else {
                loader.report(entry.line, "\(label).\(name)", "the poller sets \(name) itself (auth keys, conditional requests)")
                continue
            }
            guard case .string(let value) = entry.value, !value.contains(where: { $0 == "\r" || $0 == "\n" }) else {
                loader.report(entry.line, "\(label).\(name)", "expected a string on one line, found \(entry.value.kindName)")
                continue
            }
            result[name] = value
        }
        return result
    }
}

extension TableReader {
    /// A non-empty array of non-empty strings (e.g. an amqp feed's `urls`); nil when absent or
    /// wrong (then reported, each wrong element by its index).
    mutating func strings(_ key: String, example: String) -> [String]? {
        guard let node = lookUpKey(key) else { return nil }
        let label = path.isEmpty ? key : "\(path).\(key)"
        guard case .array(let elements) = node.value, !elements.isEmpty else {
            loader.report(node.line, label, "expected a non-empty array of strings such as \(example)")
            return nil
        }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element.value, !text.isEmpty else {
                loader.report(element.line, "\(label)[\(index)]", "expected a non-empty string, found \(element.value.kindName)")
                return nil
            }
            result.append(text)
        }
        return result
    }
}
