import FeedIngest
import FlightModel
import Foundation
import HistoryStore
import Publisher
import Synchronization
import Testing

@testable import GatewayDaemon

@Suite struct SpoolBookkeepingTests {
    static func frame(_ name: String, last: Bool, rejected: Bool) -> (completion: FileCompletion, rejected: Bool) {
        (FileCompletion(name: name, isLast: last) { _ in }, rejected)
    }

    @Test func aFileIsFinishedByTheCommitOfItsLastFrameAcrossBatches() {
        var spool = SpoolBookkeeping()
        let first = spool.committed([Self.frame("a", last: false, rejected: false), Self.frame("b", last: false, rejected: true)])
        #expect(first.isEmpty)
        #expect(spool.openFiles == 2)
        let second = spool.committed([Self.frame("a", last: true, rejected: true), Self.frame("b", last: true, rejected: true)])
        #expect(second.map(\.completion.name) == ["a", "b"])
        // a had one good frame: done/; b had none: rejected/.
        #expect(second.map(\.rejectedAll) == [false, true])
        #expect(spool.openFiles == 0)
    }

    @Test func aOneFrameFileIsFinishedAtOnce() {
        var spool = SpoolBookkeeping()
        let finished = spool.committed([Self.frame("single.xml", last: true, rejected: false)])
        #expect(finished.map(\.completion.name) == ["single.xml"])
        #expect(finished.first?.rejectedAll == false)
    }
}

@Suite struct HousekeepingTests {
    static let now = Timestamp(millisecondsSinceEpoch: 1_795_600_000_000)

    static func update(_ number: String, actual: Timestamp?, scheduled: Timestamp) -> String {
        var fields = #""scheduled":"\#(scheduled.iso8601)","gate":"A1""#
        if let actual { fields += #","actual":"\#(actual.iso8601)","status":"departed""# }
        return #"{"airline":"LX","number":"\#(number)","date":"2026-11-24","direction":"departure",\#(fields)}"#
    }

    @Test func flightsThatEndedLongAgoAreClearedAndForgotten() throws {
        var builder = BatchBuilderTests.builder()
        var board = RetainedBoard(topicRoot: "flightedge/ZRH", stateQoS: 1, context: BatchBuilderTests.context)
        let hour: Int64 = 3_600_000
        let longAgo = Timestamp(millisecondsSinceEpoch: Self.now.millisecondsSinceEpoch - 30 * hour)
        let recent = Timestamp(millisecondsSinceEpoch: Self.now.millisecondsSinceEpoch - hour)
        // Received long ago too, so both rules see them as silent.
        var batch = PreparedBatch()
        for (number, actual) in [("0001", longAgo), ("0002", recent)] {
            let frame = Frame(
                feed: "aodb", position: .stream(peer: "p", connection: 1, offset: 0),
                bytes: Array(Self.update(number, actual: actual, scheduled: actual).utf8),
                receivedAtMilliseconds: longAgo.millisecondsSinceEpoch)
            builder.add(frame, FrameDecoding.updates(of: frame, decoder: BatchBuilderTests.decoders[frame.feed]), to: &batch)
        }
        builder.finish(&batch)
        _ = board.update(batch.rows.flights.compactMap { row in batch.after[HashedFlightID(row.flightID)].map { ($0, row.stateJSON) } }, now: longAgo)
        #expect(board.flightCount == 2)

        let sweep = Housekeeping(retainHours: 24).sweep(board: &board, builder: &builder, now: Self.now)
        #expect(sweep.cleared == ["LX0001-20261124-D"])
        #expect(sweep.forgotten == ["LX0001-20261124-D"])
        #expect(sweep.messages.first?.topic == "flightedge/ZRH/flights/LX0001-20261124-D")
        #expect(sweep.messages.first?.payload.isEmpty == true)
        #expect(sweep.messages.contains { $0.topic == "flightedge/ZRH/gates/A1" })
        #expect(board.flightCount == 1)
        #expect(builder.engine.count == 1)
        #expect(builder.engine.state(for: "LX0002-20261124-D") != nil)
    }
}

@Suite struct PublishStageTests {
    @Test func batchesAreHandedOnInOrderAndDrainWaitsForThemAll() async {
        let seen = Mutex<[Int]>([])
        let stage = PublishStage { batch, _ in
            try? await Task.sleep(for: .milliseconds(5))
            seen.withLock { $0.append(batch.updates) }
        }
        for index in 1...20 {
            var batch = PreparedBatch()
            batch.updates = index
            stage.submit(batch, outboxIDs: [])
        }
        await stage.drain()
        #expect(seen.withLock { $0 } == Array(1...20))
        // Nothing submitted since: returns at once.
        await stage.drain()
        stage.close()
    }
}

@Suite struct PipelineProgressTests {
    @Test func waitingForCommittedFramesEndsWhenTheyAreIn() async {
        let progress = PipelineProgress()
        let ended = Atomic<Bool>(false)
        let waiter = Task {
            await progress.waitUntilCommitted(frames: 10)
            ended.store(true, ordering: .relaxed)
        }
        progress.committed(frames: 4, updates: 4, events: 0, rejected: 0, lagMilliseconds: 0)
        try? await Task.sleep(for: .milliseconds(50))
        let endedEarly = ended.load(ordering: .relaxed)
        #expect(!endedEarly)
        progress.committed(frames: 6, updates: 6, events: 0, rejected: 0, lagMilliseconds: 0)
        await waiter.value
        let endedNow = ended.load(ordering: .relaxed)
        #expect(endedNow)
        // Already there: no wait.
        await progress.waitUntilCommitted(frames: 10)
    }

    @Test func cancellingTheWaiterEndsTheWait() async {
        let progress = PipelineProgress()
        let waiter = Task { await progress.waitUntilCommitted(frames: 1_000) }
        try? await Task.sleep(for: .milliseconds(20))
        waiter.cancel()
        await waiter.value
        #expect(progress.committedFrames == 0)
    }
}
