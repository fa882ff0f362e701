import FlightModel
import Publisher

/// What to let go of, once a minute: flights that ended long ago come off the retained topics,
/// and are forgotten in memory once they have also been silent that long (the store keeps
/// them: a late update to a forgotten flight loads it again and continues its `seq`). Pure.
struct Housekeeping: Sendable {
    /// `[housekeeping] retain_hours`.
    var retainHours: Int

    /// What one sweep decided.
    struct Sweep: Sendable {
        /// Cleared from the retained topics.
        var cleared: [String] = []
        /// The clears to publish: empty retained payloads and the gate and belt lists without them.
        var messages: [OutgoingMessage] = []
        /// Dropped from memory.
        var forgotten: [String] = []
    }

    func sweep(board: inout RetainedBoard, builder: inout BatchBuilder, now: Timestamp) -> Sweep {
        var sweep = Sweep()
        sweep.cleared = board.expired(now: now, retainHours: retainHours)
        if !sweep.cleared.isEmpty {
            sweep.messages = board.remove(sweep.cleared, now: now)
            builder.cleared(sweep.cleared)
        }
        let horizon = now.millisecondsSinceEpoch - Int64(retainHours) * 3_600_000
        let silentSince = now.millisecondsSinceEpoch - 48 * 3_600_000
        sweep.forgotten = builder.engine.allStates.filter { state in
            guard state.updatedAt.millisecondsSinceEpoch < horizon else { return false }
            return (state.endsAt?.millisecondsSinceEpoch ?? Int64.max) < horizon
                || (state.scheduled?.millisecondsSinceEpoch ?? Int64.max) < silentSince
        }.map(\.key.flightID)
        builder.forget(sweep.forgotten)
        return sweep
    }
}
