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

    /// Hours after its scheduled time (or the end of its date, when it has none) that a flight
    /// without an estimated or actual time leaves, however often it is updated (issue 18: such
    /// flights never expired; 8,684 of them, ~5 KB each and a retained topic, in the probe).
    static let timelessBoundHours: Int64 = 48

    func sweep(board: inout RetainedBoard, builder: inout BatchBuilder, now: Timestamp) -> Sweep {
        var sweep = Sweep()
        sweep.cleared = board.expired(now: now, retainHours: retainHours)
        let timeless = Self.timeless(builder.engine.allStates, now: now)
        if !timeless.isEmpty {
            let known = Set(sweep.cleared)
            sweep.cleared += timeless.filter { !known.contains($0) }.sorted()
        }
        if !sweep.cleared.isEmpty {
            sweep.messages = board.remove(sweep.cleared, now: now)
            builder.cleared(sweep.cleared)
        }
        let horizon = now.millisecondsSinceEpoch - Int64(retainHours) * 3_600_000
        let silentSince = now.millisecondsSinceEpoch - 48 * 3_600_000
        let timelessSet = Set(timeless)
        sweep.forgotten = builder.engine.allStates.filter { state in
            if timelessSet.contains(state.key.flightID) { return true }
            guard state.updatedAt.millisecondsSinceEpoch < horizon else { return false }
            return (state.endsAt?.millisecondsSinceEpoch ?? Int64.max) < horizon
                || (state.scheduled?.millisecondsSinceEpoch ?? Int64.max) < silentSince
        }.map(\.key.flightID)
        builder.forget(sweep.forgotten)
        return sweep
    }

    /// Flights with neither an estimated nor an actual time whose scheduled time (else the end
    /// of their date) is more than ``timelessBoundHours`` past.
    static func timeless(_ states: some Sequence<FlightState>, now: Timestamp) -> [String] {
        let bound = now.millisecondsSinceEpoch - timelessBoundHours * 3_600_000
        return states.compactMap { state in
            guard state.endsAt == nil else { return nil }
            let reference = state.scheduled?.millisecondsSinceEpoch
                ?? state.key.date.midnightUTC.millisecondsSinceEpoch + 86_400_000
            return reference < bound ? state.key.flightID : nil
        }
    }
}
