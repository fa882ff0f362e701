@testable import FeedIngest
import Testing

/// The acknowledgement window of an `amqp` feed: what its waits wait for. A stop and a lost
/// connection wait for the pipeline's commit; they used to return at once while an earlier
/// commit was still unacknowledged, so the feed spun on the ledger's lock until its deadline.
@Suite struct AMQPQueueLedgerTests {
    /// Ten messages handed over on connection 1, the first five committed, none acknowledged.
    func halfCommitted() -> AMQPQueueLedger {
        let ledger = AMQPQueueLedger()
        ledger.connected(1)
        ledger.delivered(through: 10)
        ledger.committed(connection: 1, through: 5)
        return ledger
    }

    @Test func waitingForACommitIsNotEndedByAcknowledgementsAlreadyDue() async {
        let ledger = halfCommitted()
        let clock = ContinuousClock()
        let elapsed = await clock.measure { await ledger.waitForCommit(timeout: .milliseconds(300)) }
        #expect(elapsed >= .milliseconds(250), "returned after \(elapsed) without a new commit")
        #expect(ledger.uncommitted == 5)
    }

    @Test func aCommitEndsTheWaitEarly() async {
        let ledger = halfCommitted()
        let clock = ContinuousClock()
        let committer = Task {
            try? await Task.sleep(for: .milliseconds(100))
            ledger.committed(connection: 1, through: 7)
        }
        let elapsed = await clock.measure { await ledger.waitForCommit(timeout: .seconds(10)) }
        await committer.value
        #expect(elapsed < .seconds(5), "waited \(elapsed) after the commit")
        #expect(ledger.uncommitted == 3)
    }

    @Test func aCommitOfAnEarlierConnectionIsIgnored() async {
        let ledger = halfCommitted()
        ledger.connected(2)
        ledger.delivered(through: 3)
        ledger.committed(connection: 1, through: 3)
        #expect(ledger.uncommitted == 3)
        #expect(ledger.takeAcknowledgements() == nil)
    }

    @Test func acknowledgementsDueEndTheirWaitAtOnce() async {
        let ledger = halfCommitted()
        let clock = ContinuousClock()
        let elapsed = await clock.measure { await ledger.waitForAcknowledgements(timeout: .seconds(10)) }
        #expect(elapsed < .seconds(1))
        #expect(ledger.takeAcknowledgements() == 1...5)
        #expect(ledger.takeAcknowledgements() == nil)
    }

    @Test func manyShortWaitsAllEndByTheirTimers() async {
        let ledger = halfCommitted()
        let clock = ContinuousClock()
        let elapsed = await clock.measure {
            for _ in 0..<200 { await ledger.waitForCommit(timeout: .milliseconds(1)) }
        }
        #expect(elapsed < .seconds(10), "a wait whose timer fired before it parked hung: \(elapsed)")
    }
}
