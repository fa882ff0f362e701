import Foundation

/// When an `http-poll` feed asks next, and with which conditional headers: pure, so every rule
/// is tested without a server.
///
/// * The next request waits at least `interval` after the end of the last poll, whatever happened.
/// * A 200 keeps the response's `ETag` and `Last-Modified` for `If-None-Match` and
///   `If-Modified-Since`; a 304 is "nothing new".
/// * 429 and 503 wait for `Retry-After` (seconds or an HTTP date), or back off when it is absent;
///   an AIDX `FlightLegRS` that asks for a wait (its warnings) is honoured the same way.
/// * Errors (no connection, a timeout, another status) back off: 1 s doubling up to
///   `max_backoff`, each wait between half and all of that (jitter), so that gateways restarted
///   together do not ask together.
public struct HTTPPollPolicy: Sendable {
    public let interval: Duration
    public let maxBackoff: Duration
    /// The longest wait a server may impose: a wrong `Retry-After` must not silence a feed for days.
    public static let longestServerWait: Duration = .seconds(6 * 3600)

    /// The validators of the last 200, sent with the next request.
    public private(set) var entityTag: String?
    public private(set) var lastModified: String?
    /// Errors in a row, for the backoff.
    public private(set) var failures = 0

    public init(interval: Duration, maxBackoff: Duration) {
        self.interval = interval
        self.maxBackoff = maxBackoff
    }

    /// What a poll came to, and how long to wait from its end to the next request.
    public enum Outcome: Sendable, Equatable {
        /// A new body to decode.
        case fresh(wait: Duration)
        /// 304, or a body identical to the last one.
        case unchanged(wait: Duration)
        /// The server asked us to wait (Retry-After, AIDX warnings); `wait` is what it asked,
        /// at least `interval`. `body` is true when the response still carried a body to decode.
        case serverWait(wait: Duration, body: Bool)
        /// An error status; back off.
        case failed(wait: Duration, reason: String)

        public var wait: Duration {
            switch self {
            case .fresh(let wait), .unchanged(let wait), .serverWait(let wait, _), .failed(let wait, _): wait
            }
        }
    }

    /// The conditional headers of the next request.
    public var conditionalHeaders: [(name: String, value: String)] {
        var headers: [(name: String, value: String)] = []
        if let entityTag { headers.append(("If-None-Match", entityTag)) }
        if let lastModified { headers.append(("If-Modified-Since", lastModified)) }
        return headers
    }

    /// The tag of the last fresh response, for its frames' position: ETag, else Last-Modified.
    public var tag: String? { entityTag ?? lastModified }

    /// Judges a response: its status, headers (any case), whether its body equals the last
    /// one, and the wait its body asks for (an AIDX `FlightLegRS` warning), if any.
    public mutating func response(
        status: Int, headers: [(name: String, value: String)], sameBody: Bool = false, bodyWait: Duration? = nil,
        now: Date = Date(), random: inout some RandomNumberGenerator
    ) -> Outcome {
        func header(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        switch status {
        case 200..<300:
            failures = 0
            entityTag = header("ETag")
            lastModified = header("Last-Modified")
            if let bodyWait { return .serverWait(wait: serverBounded(bodyWait), body: !sameBody) }
            return sameBody ? .unchanged(wait: interval) : .fresh(wait: interval)
        case 304:
            failures = 0
            if let tag = header("ETag") { entityTag = tag }
            if let modified = header("Last-Modified") { lastModified = modified }
            return .unchanged(wait: interval)
        case 429, 503:
            if let asked = header("Retry-After").flatMap({ Self.retryAfter($0, now: now) }) {
                return .serverWait(wait: serverBounded(asked), body: false)
            }
            return failed("HTTP \(status) without Retry-After", random: &random)
        default:
            return failed("HTTP \(status)", random: &random)
        }
    }

    /// A poll that got no response (refused, dropped, timed out, TLS): back off.
    public mutating func failed(_ reason: String, random: inout some RandomNumberGenerator) -> Outcome {
        failures += 1
        return .failed(wait: max(interval, backoff(random: &random)), reason: reason)
    }

    /// 1 s, 2 s, 4 s… up to `maxBackoff`, each drawn between half and all of it.
    private func backoff(random: inout some RandomNumberGenerator) -> Duration {
        let ceiling = min(maxBackoff, .seconds(1) * (1 << min(failures - 1, 20)))
        let milliseconds = Self.milliseconds(ceiling)
        // One draw, no rejection sampling: a fraction in [0, 1) of the upper half.
        let fraction = Double(random.next() >> 11) / Double(UInt64(1) << 53)
        return .milliseconds(milliseconds / 2 + Int64((Double(milliseconds - milliseconds / 2) * fraction).rounded()))
    }

    private func serverBounded(_ wait: Duration) -> Duration {
        min(max(wait, interval), max(Self.longestServerWait, interval))
    }

    /// `Retry-After`: delay-seconds or an HTTP date (RFC 9110 §10.2.3); nil when unreadable.
    public static func retryAfter(_ value: String, now: Date) -> Duration? {
        let text = value.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(text), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: text) else { return nil }
        return .milliseconds(max(0, Int64(date.timeIntervalSince(now) * 1000)))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
