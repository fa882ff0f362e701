import Foundation

/// The wait an AIDX `FlightLegRS` asks of a poller (docs/DESIGN.md, "http-poll, when to
/// ask": a reply may carry `Warnings` with `Type="911"`, rate limited, instead of legs).
///
/// A `Warning` that names a time — "retry after 300 seconds", "next full refresh in 5 minutes",
/// `ShortText="120"` — asks for that wait; a `Type="911"` warning without one asks for
/// ``defaultRateLimitWait``. Warnings that name no time and are not 911 ask nothing. The
/// longest wait asked wins.
public enum AIDXResponseWarnings {
    /// The wait of a 911 (rate limit) warning that names no time.
    public static let defaultRateLimitWait: Duration = .seconds(60)

    /// The wait `bytes` asks for, or nil: not a `FlightLegRS`, no warnings, or none that asks.
    /// Cheap when the body holds no `Warning` (no XML parsing then).
    public static func requestedWait(in bytes: [UInt8]) -> Duration? {
        guard contains(bytes, Array("Warning".utf8)), contains(bytes, Array("FlightLegRS".utf8)) else { return nil }
        var reader = XMLReader()
        reader.maxBytes = max(bytes.count, 1024)
        guard let document = try? reader.parse(bytes) else { return nil }
        let namespace = AIDXDecoder.namespace
        guard
            let response = ([document.root] + document.descendants(of: document.root)).first(where: {
                document[$0].namespace == namespace && document[$0].name == "IATA_AIDX_FlightLegRS"
            }), let warnings = document.child(of: response, namespace, "Warnings")
        else { return nil }
        var longest: Duration?
        for index in document.children(of: warnings, namespace, "Warning") {
            let warning = document[index]
            let text = [warning.attribute("ShortText"), String(warning.trimmedText)].compactMap { $0 }.joined(separator: " ")
            let asked = wait(in: text) ?? (warning.attribute("Type") == "911" ? defaultRateLimitWait : nil)
            if let asked, asked > (longest ?? .zero) { longest = asked }
        }
        return longest
    }

    /// The first number in `text` followed by a unit of time ("300 seconds", "5 min", "1 hour",
    /// "30s"), or the whole text when it is a number of seconds ("120"); nil otherwise, so a code
    /// such as "911" in the text is never read as a wait.
    static func wait(in text: String) -> Duration? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(min(seconds, 10_000_000)) }
        let characters = Array(text.lowercased())
        var index = 0
        while index < characters.count {
            guard characters[index].isASCII, characters[index].isNumber else {
                index += 1
                continue
            }
            var number = 0
            while index < characters.count, characters[index].isASCII, characters[index].isNumber {
                number = min(number * 10 + (characters[index].wholeNumberValue ?? 0), 10_000_000)
                index += 1
            }
            while index < characters.count, characters[index] == " " { index += 1 }
            switch String(characters[index...].prefix { $0.isLetter }) {
            case "ms", "millisecond", "milliseconds": return .milliseconds(number)
            case "s", "sec", "secs", "second", "seconds": return .seconds(number)
            case "m", "min", "mins", "minute", "minutes": return .seconds(number * 60)
            case "h", "hr", "hrs", "hour", "hours": return .seconds(number * 3600)
            default: continue
            }
        }
        return nil
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        var index = 0
        let last = bytes.count - needle.count
        while index <= last {
            if bytes[index] == first, bytes[index..<index + needle.count].elementsEqual(needle) { return true }
            index += 1
        }
        return false
    }
}
