import FeedIngest
import Testing

/// The slots of a tcp-listen feed (issue 18, item 2): one peer cannot take them all, and one
/// allow entry cannot take the slots kept for the others.
@Suite struct ConnectionSlotsTests {
    @Test func onePeerStopsAtItsOwnLimitAndOthersStillGetIn() {
        let slots = ConnectionSlots(maxConnections: 64, maxPerPeer: 8, entries: 1)
        let flood = (0..<500).map { _ in slots.take(peer: "10.0.0.9", entry: 0) }
        #expect(flood.filter { (try? $0.get()) != nil }.count == 8)
        #expect(flood.last.map { if case .failure(.overPerPeer) = $0 { true } else { false } } == true)
        let senders = (1...33).map { slots.take(peer: "10.0.1.\($0)", entry: 0) }
        #expect(senders.allSatisfy { (try? $0.get()) != nil }, "33 real senders all get a slot")
        #expect(slots.open == 41)
        slots.release(peer: "10.0.0.9", entry: 0)
        #expect((try? slots.take(peer: "10.0.0.9", entry: 0).get()) != nil, "a slot given back is free again")
    }

    @Test func eachAllowEntryKeepsSlotsTheOthersCannotTake() {
        // 64 slots, 2 entries: 16 kept for each.
        let slots = ConnectionSlots(maxConnections: 64, maxPerPeer: 64, entries: 2)
        #expect(slots.reserve == 16)
        var taken = 0
        for peer in 0..<100 where (try? slots.take(peer: "10.0.0.\(peer)", entry: 0).get()) != nil { taken += 1 }
        #expect(taken == 48, "entry 0 stops where entry 1's kept slots begin")
        if case .failure(let refusal) = slots.take(peer: "10.0.0.200", entry: 0) {
            #expect(refusal == .keptForOtherEntries)
        } else {
            Issue.record("entry 0 took a slot kept for entry 1")
        }
        for peer in 0..<16 { #expect((try? slots.take(peer: "192.0.2.\(peer)", entry: 1).get()) != nil) }
        if case .failure(let refusal) = slots.take(peer: "192.0.2.99", entry: 1) {
            #expect(refusal == .overMaxConnections)
        } else {
            Issue.record("more than max_connections")
        }
    }
}
