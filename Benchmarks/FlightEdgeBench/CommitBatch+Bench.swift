import FlightModel
import HistoryStore

extension CommitBatch.FlightRow {
    /// The row the pipeline's `BatchBuilder` writes for `state`, for benchmarks that commit
    /// simulated days without running the pipeline.
    init(benchState state: FlightState, context: PayloadContext) {
        self.init(
            flightID: state.key.flightID, airline: state.key.airline, number: state.key.number, suffix: state.key.suffix,
            date: state.key.date.description, direction: state.key.direction.letter,
            stateJSON: FlightPayload.encode(state, previousSeq: state.seq - 1, context: context),
            provenanceJSON: state.provenanceBytes, seq: state.seq, firstSeenAt: state.firstSeen.millisecondsSinceEpoch,
            updatedAt: state.updatedAt.millisecondsSinceEpoch, endsAt: state.endsAt?.millisecondsSinceEpoch)
    }
}
