/// The per-field merge rule of DESIGN.md §1/§3: how one fact of an update meets the field's
/// current ``FlightState/Slot``. Pure.
///
/// - A fact whose source time is older than the slot's never replaces it.
/// - When the times are equal, or either is missing, the higher precedence wins, and on equal
///   precedence the update wins (last writer).
/// - A winning fact with the value the field already has is no change; it becomes the value's
///   provenance instead (its feed, precedence and, if it has one, source time), so that an
///   older fact cannot later undo what a newer one confirmed.
/// - Clearing an unknown field is no change either, but the field becomes known (cleared), with
///   the update's provenance: a later but older fact does not set it.
enum MergeRule {
    /// What to do with one fact.
    enum Outcome: Equatable {
        /// The fact loses, or says what the slot already says with the same provenance.
        case keep
        /// Same value; only the slot's provenance changes (no ``FieldChange``, no `seq`).
        case refresh(FlightState.Slot)
        /// The value changes.
        case change(FlightState.Slot)
    }

    /// Whether a fact with this source time and precedence may replace the slot's value.
    static func wins(sourceTime: Timestamp?, precedence: Int, over slot: FlightState.Slot) -> Bool {
        if let sourceTime, let current = slot.sourceTime, sourceTime != current {
            return sourceTime > current
        }
        return precedence >= slot.precedence
    }

    /// Merges `incoming` (nil: cleared) from a fact with this provenance into `slot` (nil: unknown).
    static func merge(
        _ incoming: FieldValue?, sourceTime: Timestamp?, feed: String, precedence: Int, into slot: FlightState.Slot?
    ) -> Outcome {
        guard let slot else {
            let known = FlightState.Slot(value: incoming, sourceTime: sourceTime, feed: feed, precedence: precedence)
            return incoming == nil ? .refresh(known) : .change(known)
        }
        guard wins(sourceTime: sourceTime, precedence: precedence, over: slot) else { return .keep }
        if slot.value == incoming {
            let confirmed = FlightState.Slot(
                value: incoming, sourceTime: sourceTime ?? slot.sourceTime, feed: feed, precedence: precedence)
            return confirmed == slot ? .keep : .refresh(confirmed)
        }
        return .change(FlightState.Slot(value: incoming, sourceTime: sourceTime, feed: feed, precedence: precedence))
    }
}
