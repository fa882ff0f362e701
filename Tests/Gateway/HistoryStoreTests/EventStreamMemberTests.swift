import Testing

@testable import HistoryStore

/// Where `stream_seq` goes in an event's payload: right after `seq`, the same bytes in Swift
/// as the commit's SQL writes.
@Suite struct EventStreamMemberTests {
    static let payload = Array(
        #"{"schema":"flightedge.event/1","event_id":"1f0c","kind":"gate-change","airport":"ZRH","flight_id":"LX1234-20261124-D","seq":17,"occurred_at":"2026-11-24T05:58:12Z","previous":{"seq":1},"current":{}}"#
            .utf8)

    @Test func theMemberGoesRightAfterSeq() {
        let numbered = EventStreamMember.payload(Self.payload, streamSeq: 48213)
        #expect(
            String(decoding: numbered, as: UTF8.self)
                == #"{"schema":"flightedge.event/1","event_id":"1f0c","kind":"gate-change","airport":"ZRH","flight_id":"LX1234-20261124-D","seq":17,"stream_seq":48213,"occurred_at":"2026-11-24T05:58:12Z","previous":{"seq":1},"current":{}}"#)
    }

    @Test func theSplitIsWhatTheSQLJoinsWithTheMemberBetween() throws {
        let (head, tail) = try #require(EventStreamMember.split(Self.payload))
        #expect(String(decoding: head, as: UTF8.self).hasSuffix(#""flight_id":"LX1234-20261124-D","seq":17,"#))
        #expect(String(decoding: tail, as: UTF8.self).hasPrefix(#""occurred_at""#))
        #expect(Array(head) + EventStreamMember.member(1) + Array(tail) == EventStreamMember.payload(Self.payload, streamSeq: 1))
        #expect(String(decoding: EventStreamMember.member(7), as: UTF8.self) == #""stream_seq":7,"#)
        #expect(String(decoding: EventStreamMember.member(0), as: UTF8.self) == #""stream_seq":0,"#)
        #expect(String(decoding: EventStreamMember.member(Int64.max), as: UTF8.self) == #""stream_seq":9223372036854775807,"#)
    }

    @Test func aKeyStartedEarlierDoesNotHideTheMember() {
        let bytes = Array(#"{"note":"flight_","x":"flight","flight_id":"LX1","seq":4,"a":1}"#.utf8)
        #expect(
            String(decoding: EventStreamMember.payload(bytes, streamSeq: 10), as: UTF8.self)
                == #"{"note":"flight_","x":"flight","flight_id":"LX1","seq":4,"stream_seq":10,"a":1}"#)
    }

    @Test func aPayloadWithoutSeqAfterFlightIDIsLeftAsItIs() {
        for text in [
            #"{"event":"gate-change"}"#, "{}", "", #"{"flight_id":"LX1","seq":"#, #"{"flight_id":"LX1","seq":4,"#,
            #"{"flight_id":"LX1","kind":"x","seq":4,"a":1}"#, #"{"flight_id":"L\"X","seq":4,"a":1}"#,
            #"{"flight_id":"LX1","seq":,"a":1}"#, #"{"flight_id":"LX1","seq":-4,"a":1}"#,
        ] {
            let bytes = Array(text.utf8)
            #expect(EventStreamMember.split(bytes) == nil, "\(text)")
            #expect(EventStreamMember.payload(bytes, streamSeq: 3) == bytes, "\(text)")
        }
    }
}
