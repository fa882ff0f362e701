import FeedIngest
import FlightModel
import HistoryStore
import Publisher
import Testing

@testable import GatewayDaemon

/// Issue 18, item 10: a flight with neither an estimated nor an actual time never expired
/// (the probe's 8,684 flights, kept updated, all stayed). It now leaves by its scheduled time,
/// or the end of its date when it has none, plus 48 h, however often it is updated.
@Suite struct TimelessFlightsTests {
    @Test func flightsWithoutTimesLeaveByTheirDateOrScheduleWhateverTheirUpdates() throws {
        var builder = BatchBuilderTests.builder()
        var board = RetainedBoard(topicRoot: "flightedge/ZRH", stateQoS: 1, context: BatchBuilderTests.context)
        let now = Timestamp(millisecondsSinceEpoch: HousekeepingTests.now.millisecondsSinceEpoch + 5 * 86_400_000)
        let lines = [
            // No times at all, dated 2026-11-24 (long before `now`): leaves.
            #"{"airline":"LX","number":"7001","date":"2026-11-24","direction":"departure","gate":"A1"}"#,
            // Scheduled long ago, no estimated or actual: leaves.
            #"{"airline":"LX","number":"7002","date":"2026-11-24","direction":"departure","scheduled":"2026-11-24T06:00:00Z"}"#,
            // Dated today: stays.
            #"{"airline":"LX","number":"7003","date":"\#(FlightDate(utcDateOf: now))","direction":"arrival","belt":"3"}"#,
        ]
        var batch = PreparedBatch()
        for line in lines {
            // Received just now: frequent updates do not keep a timeless flight.
            let frame = Frame(
                feed: "aodb", position: .stream(peer: "p", connection: 1, offset: 0), bytes: Array(line.utf8),
                receivedAtMilliseconds: now.millisecondsSinceEpoch)
            builder.add(frame, FrameDecoding.updates(of: frame, decoder: BatchBuilderTests.decoders[frame.feed]), to: &batch)
        }
        builder.finish(&batch)
        #expect(batch.rejections.isEmpty, "\(batch.rejections)")
        _ = board.update(batch.rows.flights.compactMap { row in batch.after[HashedFlightID(row.flightID)].map { ($0, row.stateJSON) } }, now: now)
        #expect(board.flightCount == 3)

        let sweep = Housekeeping(retainHours: 12).sweep(board: &board, builder: &builder, now: now)
        #expect(sweep.cleared == ["LX7001-20261124-D", "LX7002-20261124-D"])
        #expect(Set(sweep.forgotten) == ["LX7001-20261124-D", "LX7002-20261124-D"])
        #expect(board.flightCount == 1)
        #expect(builder.engine.count == 1)
    }
}
