import FeedIngest
import Foundation
import Testing

/// When an http-poll feed asks next, and what it sends: the rules of ``HTTPPollPolicy``.
@Suite struct HTTPPollPolicyTests {
    /// A generator that always draws the same, so a jittered wait is known.
    struct FixedRandom: RandomNumberGenerator {
        var value: UInt64
        mutating func next() -> UInt64 { value }
    }

    private var random = FixedRandom(value: .max)
    private var policy = HTTPPollPolicy(interval: .milliseconds(200), maxBackoff: .seconds(8))

    @Test mutating func aFreshAnswerIsRememberedAndAskedAboutConditionally() {
        #expect(policy.conditionalHeaders.isEmpty)
        let outcome = policy.response(
            status: 200, headers: [("etag", #""v1""#), ("Last-Modified", "Sat, 05 Dec 2026 07:00:00 GMT")], random: &random)
        #expect(outcome == .fresh(wait: .milliseconds(200)))
        #expect(policy.conditionalHeaders.map(\.name) == ["If-None-Match", "If-Modified-Since"])
        #expect(policy.conditionalHeaders.map(\.value) == [#""v1""#, "Sat, 05 Dec 2026 07:00:00 GMT"])
        #expect(policy.tag == #""v1""#)
        #expect(policy.response(status: 304, headers: [], random: &random) == .unchanged(wait: .milliseconds(200)))
        #expect(policy.tag == #""v1""#, "a 304 keeps the validators")
    }

    @Test mutating func theSameBodyAgainIsUnchanged() {
        #expect(policy.response(status: 200, headers: [], sameBody: true, random: &random) == .unchanged(wait: .milliseconds(200)))
    }

    @Test mutating func retryAfterInSecondsOrAsADateIsHonouredButNeverBelowTheInterval() {
        #expect(policy.response(status: 429, headers: [("Retry-After", "7")], random: &random) == .serverWait(wait: .seconds(7), body: false))
        #expect(policy.response(status: 503, headers: [("Retry-After", "0")], random: &random) == .serverWait(wait: .milliseconds(200), body: false))
        let now = Date(timeIntervalSince1970: 1_796_454_000)  // Sat, 05 Dec 2026 07:00:00 GMT
        let outcome = policy.response(
            status: 503, headers: [("retry-after", "Sat, 05 Dec 2026 07:01:30 GMT")], now: now, random: &random)
        #expect(outcome == .serverWait(wait: .seconds(90), body: false))
        #expect(policy.failures == 0, "a server that asks for a wait is not failing")
    }

    @Test mutating func aServerWaitIsBoundedSoAWrongHeaderCannotSilenceAFeedForDays() {
        let outcome = policy.response(status: 429, headers: [("Retry-After", "9999999")], random: &random)
        #expect(outcome.wait == HTTPPollPolicy.longestServerWait)
    }

    @Test mutating func aBodyThatAsksForAWaitIsDecodedAndWaitedFor() {
        let outcome = policy.response(status: 200, headers: [], bodyWait: .seconds(300), random: &random)
        #expect(outcome == .serverWait(wait: .seconds(300), body: true))
    }

    @Test mutating func errorsBackOffDoublingWithJitterUpToTheMaximum() {
        var waits: [Duration] = []
        for _ in 0..<6 { waits.append(policy.failed("refused", random: &random).wait) }
        // The generator draws the top of each range: 1 s, 2 s, 4 s, then the 8 s maximum.
        #expect(waits == [.seconds(1), .seconds(2), .seconds(4), .seconds(8), .seconds(8), .seconds(8)])
        var low = FixedRandom(value: 0)
        var fresh = HTTPPollPolicy(interval: .milliseconds(200), maxBackoff: .seconds(8))
        #expect(fresh.failed("refused", random: &low).wait == .milliseconds(500), "jitter: half of the ceiling at least")
        #expect(policy.response(status: 500, headers: [], random: &random) == .failed(wait: .seconds(8), reason: "HTTP 500"))
        _ = policy.response(status: 200, headers: [], random: &random)
        #expect(policy.failures == 0, "an answer resets the backoff")
    }

    @Test func aLongIntervalIsKeptEvenAfterAnError() {
        var random = FixedRandom(value: 0)
        var slow = HTTPPollPolicy(interval: .seconds(30), maxBackoff: .seconds(8))
        #expect(slow.failed("timeout", random: &random).wait == .seconds(30))
        #expect(slow.response(status: 429, headers: [], random: &random).wait == .seconds(30), "429 without Retry-After backs off")
    }
}
