import RelayStore
import Testing

/// The relay's view of one airport's `stream_seq`: gaps open, fill, split; replay requests are
/// due after the threshold without progress, then with a doubling wait; the status.
struct StreamLedgerTests {
    typealias Gap = StreamLedger.Gap

    /// Feeds numbers through the ledger as the store does (the gap that contains each).
    private func run(_ numbers: [Int64], now: Double = 100) -> (highest: Int64, gaps: [Gap], kinds: [StreamLedger.Step.Kind]) {
        var highest: Int64 = 0
        var gaps: [Gap] = []
        var kinds: [StreamLedger.Step.Kind] = []
        for seq in numbers {
            let containing = gaps.first { $0.from <= seq && seq <= $0.to }
            let step = StreamLedger.step(highestSeen: highest, containing: containing, seq: seq, now: now)
            if let removed = step.removedGap { gaps.removeAll { $0.from == removed } }
            gaps += step.addedGaps
            gaps.sort { $0.from < $1.from }
            highest = step.highestSeen
            kinds.append(step.kind)
        }
        return (highest, gaps, kinds)
    }

    @Test func inOrderNumbersOpenNoGap() {
        let result = run(Array(1...50))
        #expect(result.highest == 50)
        #expect(result.gaps.isEmpty)
        #expect(result.kinds.allSatisfy { $0 == .next })
        #expect(StreamLedger.highestContiguous(highestSeen: 50, firstGapFrom: nil) == 50)
    }

    @Test func aJumpOpensTheGapBelowIt() {
        let result = run([1, 2, 6])
        #expect(result.gaps == [Gap(from: 3, to: 5, openedAt: 100)])
        #expect(result.kinds == [.next, .next, .ahead])
        #expect(StreamLedger.highestContiguous(highestSeen: result.highest, firstGapFrom: result.gaps.first?.from) == 2)
    }

    @Test func theFirstEventSeenPastOneOpensAGapFromOne() {
        #expect(run([4]).gaps.map { [$0.from, $0.to] } == [[1, 3]])
    }

    @Test func fillingTheMiddleSplitsAndTheEndsShrink() {
        var result = run([1, 10, 5])
        #expect(result.gaps.map { [$0.from, $0.to] } == [[2, 4], [6, 9]])
        result = run([1, 10, 5, 2, 9, 3, 4, 6, 7, 8])
        #expect(result.gaps.isEmpty)
        #expect(result.highest == 10)
        #expect(result.kinds.filter { $0 == .filled }.count == 8)
    }

    @Test func outOfOrderCommitsOfTwoInstancesCloseAtOnce() {
        let result = run([2, 1, 4, 3, 6, 5])
        #expect(result.gaps.isEmpty)
        #expect(result.highest == 6)
    }

    @Test func aNumberSeenBeforeOutsideAnyGapIsStaleAndChangesNothing() {
        let step = StreamLedger.step(highestSeen: 10, containing: nil, seq: 3, now: 100)
        #expect(step == StreamLedger.Step(kind: .stale, highestSeen: 10, removedGap: nil, addedGaps: []))
    }

    @Test func piecesOfAFilledGapKeepItsOpeningAndRequestsButMoveItsProgress() {
        let gap = Gap(from: 10, to: 20, openedAt: 50, progressAt: 60, requests: 2, lastRequestAt: 70)
        let step = StreamLedger.step(highestSeen: 30, containing: gap, seq: 15, now: 90)
        #expect(step.removedGap == 10)
        #expect(
            step.addedGaps == [
                Gap(from: 10, to: 14, openedAt: 50, progressAt: 90, requests: 2, lastRequestAt: 70),
                Gap(from: 16, to: 20, openedAt: 50, progressAt: 90, requests: 2, lastRequestAt: 70),
            ])
        #expect(step.highestSeen == 30)
    }

    @Test func aReplayIsDueOnlyAfterTheThresholdWithoutProgress() {
        let policy = ReplayPolicy(replayAfter: 10, maximumBackoff: 60)
        let gap = Gap(from: 3, to: 5, openedAt: 100)
        #expect(!policy.isDue(gap, now: 109.9))
        #expect(policy.isDue(gap, now: 110))
        var progressing = gap
        progressing.progressAt = 108
        #expect(!policy.isDue(progressing, now: 115))
    }

    @Test func repeatedRequestsWaitTwiceAsLongEachTimeUpToTheMaximum() {
        let policy = ReplayPolicy(replayAfter: 10, maximumBackoff: 60)
        #expect([1, 2, 3, 4, 5, 30].map(policy.backoff(after:)) == [10, 20, 40, 60, 60, 60])
        let asked = Gap(from: 3, to: 5, openedAt: 100, requests: 2, lastRequestAt: 120)
        #expect(!policy.isDue(asked, now: 139))
        #expect(policy.isDue(asked, now: 140))
    }

    @Test func statusIsSilentThenGapsThenOnline() {
        #expect(AirportStatus.of(lastHeardAt: 0, oldestGapProgressAt: nil, now: 301, silentAfter: 300, replayAfter: 10) == .silent)
        #expect(AirportStatus.of(lastHeardAt: 0, oldestGapProgressAt: 0, now: 301, silentAfter: 300, replayAfter: 10) == .silent)
        #expect(AirportStatus.of(lastHeardAt: 95, oldestGapProgressAt: 85, now: 100, silentAfter: 300, replayAfter: 10) == .gaps)
        // A gap younger than the replay threshold is two instances committing out of order.
        #expect(AirportStatus.of(lastHeardAt: 95, oldestGapProgressAt: 95, now: 100, silentAfter: 300, replayAfter: 10) == .online)
        #expect(AirportStatus.of(lastHeardAt: 95, oldestGapProgressAt: nil, now: 100, silentAfter: 300, replayAfter: 10) == .online)
        // Offline comes first: the gateway said so, or the bridge to the centre is down.
        #expect(
            AirportStatus.of(lastHeardAt: 95, oldestGapProgressAt: 85, now: 100, silentAfter: 300, replayAfter: 10, gateway: "offline")
                == .offline)
        #expect(
            AirportStatus.of(lastHeardAt: 0, oldestGapProgressAt: nil, now: 301, silentAfter: 300, replayAfter: 10, bridge: "disconnected")
                == .offline)
        #expect(
            AirportStatus.of(
                lastHeardAt: 95, oldestGapProgressAt: nil, now: 100, silentAfter: 300, replayAfter: 10, gateway: "online",
                bridge: "connected") == .online)
    }

    @Test func aHeadPastTheHighestSeenOpensAGapThatIncludesIt() {
        // Events 1...4 arrived, the status says the stream reached 7: 5, 6 and 7 were lost.
        let step = StreamLedger.announce(highestSeen: 4, head: 7, now: 100)
        #expect(step == StreamLedger.Step(kind: .ahead, highestSeen: 7, removedGap: nil, addedGaps: [Gap(from: 5, to: 7, openedAt: 100)]))
        // The replayed 7 then fills the gap's end like any event.
        let filled = StreamLedger.step(highestSeen: 7, containing: Gap(from: 5, to: 7, openedAt: 100), seq: 7, now: 101)
        #expect(filled.kind == .filled)
        #expect(filled.addedGaps == [Gap(from: 5, to: 6, openedAt: 100, progressAt: 101)])
    }

    @Test func aHeadAtOrBelowTheHighestSeenChangesNothing() {
        #expect(StreamLedger.announce(highestSeen: 7, head: 7, now: 100) == nil)
        // A gateway whose database was re-created counts from 1 again.
        #expect(StreamLedger.announce(highestSeen: 7, head: 3, now: 100) == nil)
        #expect(StreamLedger.announce(highestSeen: 0, head: 2, now: 100)?.addedGaps == [Gap(from: 1, to: 2, openedAt: 100)])
    }
}
