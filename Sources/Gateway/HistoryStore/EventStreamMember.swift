import JSON

#if canImport(Glibc)
import Glibc
#endif

/// Where an event's `stream_seq` member goes in its payload, and the payload with it.
///
/// `stream_seq` numbers the airport's events 1, 2, 3, … without holes, and is only known inside
/// the commit's transaction (docs/MQTT.md). So the pipeline renders each payload without it,
/// the commit's SQL puts it right after `seq` as it writes the outbox row, and
/// ``payload(_:streamSeq:)`` builds the very same bytes in Swift for the publisher: the first
/// publication, the outbox row and every replay of it are identical.
public enum EventStreamMember {
    /// A payload cut right after its `"flight_id":"…","seq":N,` (the member goes between the
    /// two parts); nil when the payload has no such place, which is then stored unchanged.
    public static func split(_ payload: [UInt8]) -> (head: ArraySlice<UInt8>, tail: ArraySlice<UInt8>)? {
        guard let end = endOfSeq(in: payload) else { return nil }
        return (payload[..<end], payload[end...])
    }

    /// `payload` with `"stream_seq":N,` after its `seq` member (as the commit writes it), or
    /// unchanged when it has no `seq` member after `flight_id`.
    public static func payload(_ payload: [UInt8], streamSeq: Int64) -> [UInt8] {
        guard let end = endOfSeq(in: payload) else { return payload }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(payload.count + memberPrefix.count + 21)
        bytes.append(contentsOf: payload[..<end])
        appendMember(streamSeq, to: &bytes)
        bytes.append(contentsOf: payload[end...])
        return bytes
    }

    /// `"stream_seq":N,`, the text the commit's SQL puts between the two parts.
    static func member(_ streamSeq: Int64) -> [UInt8] {
        var bytes: [UInt8] = []
        appendMember(streamSeq, to: &bytes)
        return bytes
    }

    private static let memberPrefix = Array(#""stream_seq":"#.utf8)
    private static let flightIDKey = Array(#""flight_id":""#.utf8)
    private static let seqKey = Array(#","seq":"#.utf8)

    /// The member's digits written directly: every event published goes through here.
    private static func appendMember(_ streamSeq: Int64, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: memberPrefix)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            let count = JSONWriter.writeDecimal(streamSeq, to: digits.baseAddress!)
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: digits[..<count]))
        }
        bytes.append(UInt8(ascii: ","))
    }

    /// The index after the comma that ends `"flight_id":"…","seq":N,`: the first `flight_id`
    /// member (event payloads write `schema`, `event_id`, `kind`, `airport`, `flight_id`, `seq`
    /// in that order), whose string holds no quote (flight ids are letters, digits and dashes).
    private static func endOfSeq(in payload: [UInt8]) -> Int? {
        payload.withUnsafeBufferPointer { payload in
            guard let keyStart = firstIndex(of: flightIDKey, in: payload) else { return nil }
            var index = keyStart + flightIDKey.count
            while index < payload.count, payload[index] != UInt8(ascii: "\"") {
                if payload[index] == UInt8(ascii: "\\") { return nil }
                index += 1
            }
            index += 1
            guard matches(seqKey, in: payload, at: index) else { return nil }
            index += seqKey.count
            let digitsStart = index
            while index < payload.count, payload[index] >= UInt8(ascii: "0"), payload[index] <= UInt8(ascii: "9") { index += 1 }
            // A comma and more after it: the second part is never empty (the SQL's mark of "no place").
            guard index > digitsStart, index + 1 < payload.count, payload[index] == UInt8(ascii: ",") else { return nil }
            return index + 1
        }
    }

    private static func firstIndex(of needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>) -> Int? {
        guard needle.count >= 2, haystack.count >= needle.count, let base = haystack.baseAddress else { return nil }
        // `memchr` for the needle's second byte (the `f` of `"flight_id":"`, rare in a payload;
        // its first, a quote, is everywhere), then the whole needle from the byte before: a
        // loop over the ~130 bytes before `flight_id` cost ~650 instructions an event (callgrind).
        let probe = needle[1]
        var from = 1
        while from <= haystack.count - needle.count + 1,
            let found = memchr(base + from, Int32(probe), haystack.count - needle.count + 2 - from)
        {
            let index = base.distance(to: found.assumingMemoryBound(to: UInt8.self)) - 1
            if matches(needle, in: haystack, at: index) { return index }
            from = index + 2
        }
        return nil
    }

    /// Whether `haystack` holds `needle` at `start`.
    private static func matches(_ needle: [UInt8], in haystack: UnsafeBufferPointer<UInt8>, at start: Int) -> Bool {
        guard start + needle.count <= haystack.count else { return false }
        for offset in needle.indices where haystack[start + offset] != needle[offset] { return false }
        return true
    }
}
