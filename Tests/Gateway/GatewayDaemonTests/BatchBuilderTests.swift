import FeedFormats
import FeedIngest
import FlightModel
import Foundation
import HistoryStore
import Publisher
import Testing

@testable import GatewayDaemon

/// The pipeline's batch building, without PostgreSQL or a broker: frames in, rows, messages and
/// undo out.
@Suite struct BatchBuilderTests {
    static let context = PayloadContext(airport: "ZRH", zone: ZoneRules.named("Europe/Zurich")!)
    static let decoders: [String: any FrameDecoder] = ["aodb": JSONLinesDecoder(), "fids": JSONLinesDecoder()]
    static let receivedAt: Int64 = 1_795_500_000_000

    static func builder() -> BatchBuilder {
        BatchBuilder(
            engine: StateEngine(airport: "ZRH", policy: EventPolicy(delayThresholdMinutes: 15, delayStepMinutes: 5)),
            settings: BatchBuilder.Settings(context: context, topicRoot: "flightedge/ZRH"))
    }

    static func frame(_ json: String, feed: String = "aodb", offset: Int64 = 0, at millisecond: Int64 = 0) -> Frame {
        Frame(
            feed: feed, position: .stream(peer: "10.0.0.1:4000", connection: 1, offset: offset), bytes: Array(json.utf8),
            receivedAtMilliseconds: receivedAt + millisecond)
    }

    static func gate(_ gate: String, number: String = "1234", at time: String = "2026-11-24T05:00:00Z") -> String {
        #"{"airline":"LX","number":"\#(number)","date":"2026-11-24","direction":"departure","#
            + #""scheduled":"2026-11-24T06:30:00Z","gate":"\#(gate)","source_time":"\#(time)"}"#
    }

    /// Builds one batch of `frames` and renders it.
    static func build(_ frames: [Frame], with builder: inout BatchBuilder) -> PreparedBatch {
        var batch = PreparedBatch()
        for frame in frames { builder.add(frame, FrameDecoding.updates(of: frame, decoder: decoders[frame.feed]), to: &batch) }
        builder.finish(&batch)
        return batch
    }

    static func json(_ bytes: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    }

    @Test func aFlightTouchedTwiceIsOneStateRowWithEveryChangeAndEvent() throws {
        var builder = Self.builder()
        let batch = Self.build(
            [
                Self.frame(Self.gate("A12"), offset: 0),
                Self.frame(Self.gate("B34", at: "2026-11-24T05:01:00Z"), offset: 180, at: 5),
            ], with: &builder)
        #expect(batch.rows.flights.map(\.flightID) == ["LX1234-20261124-D"])
        #expect(batch.rows.flights.first?.seq == 2)
        // The first frame sets every field it names; the second changes the gate.
        func json(_ range: Range<Int>?) -> String? { batch.rows.valueJSON(range).map { String(decoding: $0, as: UTF8.self) } }
        #expect(batch.rows.changes.filter { $0.field == "gate" }.map { json($0.newJSON) } == [#""A12""#, #""B34""#])
        #expect(batch.rows.changes.last.map { json($0.oldJSON) } == #""A12""#)
        #expect(batch.rows.changes.filter { $0.field == "scheduled" }.map { json($0.newJSON) } == [#""2026-11-24T06:30:00Z""#])
        #expect(batch.updates == 2)
        // A gate change is an event, in the outbox and as a message, in the same order.
        #expect(batch.rows.outbox.map(\.topic) == batch.events.map(\.topic))
        #expect(batch.events.contains { $0.topic == "flightedge/ZRH/events/gate-change" })
        #expect(batch.events.allSatisfy { $0.qos == 1 && !$0.retain && $0.eventID != nil })
        // The feed's checkpoint is its last frame.
        #expect(batch.rows.checkpoints.count == 1)
        #expect(batch.rows.checkpoints.first?.offset == 180)
        #expect(batch.oldestReceipt == Self.receivedAt)
        let state = try Self.json(try #require(batch.rows.flights.first).stateJSON)
        #expect(state["gate"] as? String == "B34")
        #expect(state["prev_seq"] as? Int == 0)
    }

    @Test func aFrameThatDoesNotDecodeIsRejectedWithItsReasonAndChangesNothing() {
        var builder = Self.builder()
        let batch = Self.build([Self.frame(#"{"airline":"LX"}"#), Self.frame("not json", feed: "fids", offset: 9)], with: &builder)
        #expect(batch.rows.rejected.count == 2)
        #expect(batch.rows.rejected.map(\.feed) == ["aodb", "fids"])
        #expect(batch.rows.rejected.first?.error.contains("number") == true, "\(batch.rows.rejected)")
        #expect(batch.rows.rejected.last?.raw == Array("not json".utf8))
        #expect(batch.rows.rejected.last?.position == "10.0.0.1:4000#1@9")
        #expect(batch.rejectedByFeed == ["aodb": 1, "fids": 1])
        #expect(batch.rows.flights.isEmpty && batch.rows.changes.isEmpty && batch.events.isEmpty)
        #expect(batch.frames.count == 2)
        #expect(builder.engine.count == 0)
        // Rejected frames still move their feed's checkpoint on.
        #expect(batch.rows.checkpoints.map(\.feed) == ["aodb", "fids"])
    }

    @Test func aFramingErrorIsRejectedWithoutDecoding() {
        var builder = Self.builder()
        var frame = Self.frame(Self.gate("A12"))
        frame.framingError = "frame longer than max_frame_bytes (1048576)"
        let batch = Self.build([frame], with: &builder)
        #expect(batch.rows.rejected.map(\.error) == ["frame longer than max_frame_bytes (1048576)"])
        #expect(batch.rows.flights.isEmpty)
    }

    @Test func prevSeqContinuesFromTheBatchInFlight() throws {
        var builder = Self.builder()
        _ = Self.build([Self.frame(Self.gate("A12"))], with: &builder)
        // Not committed yet: the next batch still continues from it.
        let second = Self.build([Self.frame(Self.gate("B34", at: "2026-11-24T05:02:00Z"))], with: &builder)
        let state = try Self.json(try #require(second.rows.flights.first).stateJSON)
        #expect(state["seq"] as? Int == 2)
        #expect(state["prev_seq"] as? Int == 1)
    }

    @Test func undoingBatchesNewestFirstPutsStateAndPrevSeqBack() throws {
        var builder = Self.builder()
        let first = Self.build([Self.frame(Self.gate("A12"))], with: &builder)
        let refused = Self.build([Self.frame(Self.gate("B34", at: "2026-11-24T05:02:00Z"))], with: &builder)
        let onTop = Self.build([Self.frame(Self.gate("C56", at: "2026-11-24T05:03:00Z"))], with: &builder)
        #expect(onTop.rows.flights.first?.seq == 3)
        builder.undo(onTop)
        builder.undo(refused)
        #expect(builder.engine.state(for: "LX1234-20261124-D")?.gate == "A12")
        #expect(builder.engine.state(for: "LX1234-20261124-D")?.seq == first.rows.flights.first?.seq)
        // Built again, the refused batch's frame gets the same seq and prev_seq as the first time.
        let again = Self.build([Self.frame(Self.gate("B34", at: "2026-11-24T05:02:00Z"))], with: &builder)
        let state = try Self.json(try #require(again.rows.flights.first).stateJSON)
        #expect(state["seq"] as? Int == 2)
        #expect(state["prev_seq"] as? Int == 1)
        #expect(again.events.map(\.eventID) == refused.events.map(\.eventID))
    }

    @Test func undoingANewFlightForgetsIt() {
        var builder = Self.builder()
        let batch = Self.build([Self.frame(Self.gate("A12", number: "0001"))], with: &builder)
        #expect(builder.engine.count == 1)
        builder.undo(batch)
        #expect(builder.engine.count == 0)
        #expect(builder.unknownFlights(in: [.success([])]).isEmpty)
    }

    @Test func theSameFrameTwiceChangesNothingTheSecondTime() {
        var builder = Self.builder()
        _ = Self.build([Self.frame(Self.gate("A12"))], with: &builder)
        let replay = Self.build([Self.frame(Self.gate("A12"))], with: &builder)
        #expect(replay.rows.flights.isEmpty)
        #expect(replay.rows.changes.isEmpty)
        #expect(replay.events.isEmpty)
        #expect(replay.frames.count == 1)
    }

    @Test func unknownFlightsAreThoseTheEngineLacks() throws {
        var builder = Self.builder()
        _ = Self.build([Self.frame(Self.gate("A12"))], with: &builder)
        let frames = [Self.frame(Self.gate("A12")), Self.frame(Self.gate("A12", number: "0042"))]
        let decoded = frames.map { FrameDecoding.updates(of: $0, decoder: Self.decoders[$0.feed]) }
        #expect(builder.unknownFlights(in: decoded) == ["LX0042-20261124-D"])
    }

    /// The pipeline hands over what it took from the queue at once; frames taken while the
    /// commit before ran go behind those already in the batch, used and rejected alike.
    @Test func framesAddedTogetherJoinTheBatchInOrder() {
        var builder = Self.builder()
        var batch = PreparedBatch()
        let first = [Self.frame(Self.gate("A12"), offset: 0), Self.frame("not json", offset: 100)]
        builder.add(first, first.map { FrameDecoding.updates(of: $0, decoder: Self.decoders[$0.feed]) }, to: &batch)
        let more = [Self.frame(Self.gate("B7"), offset: 200), Self.frame(Self.gate("C3", number: "0042"), offset: 300)]
        builder.add(more, more.map { FrameDecoding.updates(of: $0, decoder: Self.decoders[$0.feed]) }, to: &batch)
        builder.finish(&batch)
        #expect(batch.frames.map(\.position.description) == (first + more).map(\.position.description))
        #expect(batch.rows.rejected.count == 1)
        #expect(batch.updates == 3)
        #expect(batch.rows.flights.count == 2)
        #expect(batch.rows.checkpoints.first?.offset == 300)
    }

    @Test func aSpoolFilesLastFrameListsItInTheCheckpoint() {
        var builder = Self.builder()
        var frames: [Frame] = []
        for (index, last) in [false, true].enumerated() {
            var frame = Self.frame(Self.gate("A1\(index)", at: "2026-11-24T05:0\(index):00Z"))
            frame.position = .file(name: "batch-1.jsonl", offset: Int64(index * 100))
            frame.fileCompletion = FileCompletion(name: "batch-1.jsonl", isLast: last) { _ in }
            frames.append(frame)
        }
        let batch = Self.build(frames, with: &builder)
        #expect(batch.rows.checkpoints.first?.fileName == "batch-1.jsonl")
        #expect(batch.rows.checkpoints.first?.offset == 100)
        #expect(batch.rows.checkpoints.first?.recentFiles == ["batch-1.jsonl"])
        #expect(batch.fileFrames.map(\.completion.isLast) == [false, true])
    }

    @Test func theCommittedBatchLetsGoOfWhatPublishingDoesNotNeed() {
        var builder = Self.builder()
        let batch = Self.build([Self.frame(Self.gate("A12")), Self.frame("junk")], with: &builder)
        let kept = batch.committed()
        #expect(kept.frames.isEmpty && kept.before.isEmpty && kept.rows.changes.isEmpty && kept.rows.outbox.isEmpty)
        #expect(kept.frameCount == 2)
        #expect(kept.rows.flights.count == 1 && kept.events.count == batch.events.count)
        #expect(kept.rows.rejected.count == 1)
    }
}
