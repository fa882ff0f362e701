/// `delay` (DESIGN.md §4), on estimated − scheduled block time in whole minutes:
///
/// - **announced**: the delay reaches ``EventPolicy/delayThresholdMinutes`` while none is
///   announced, including on a flight's first update;
/// - **changed**: while announced, it moves at least ``EventPolicy/delayStepMinutes`` away from
///   the delay last announced, up or down (small drifts add up until they reach the step);
/// - **recovered**: while announced, it falls below the threshold.
///
/// Every event carries the delay in `delay_minutes` and the estimated time before and after.
/// The delay last announced is kept in ``FlightState/announcedDelayMinutes``. Nothing fires
/// while scheduled or estimated is unknown, or when an update changes neither.
struct DelayRule: EventRule {
    func evaluate(_ transition: inout FlightTransition, policy: EventPolicy, into triggers: inout [EventTrigger]) {
        guard transition.didChange(.estimated) || transition.didChange(.scheduled),
            let delay = transition.after.delayMinutes
        else { return }
        let announced = transition.announcedDelayMinutes
        let fires: Bool
        if delay >= policy.delayThresholdMinutes {
            fires = announced.map { abs(delay - $0) >= max(1, policy.delayStepMinutes) } ?? true
            if fires { transition.announcedDelayMinutes = delay }
        } else {
            fires = announced != nil
            transition.announcedDelayMinutes = nil
        }
        if fires { triggers.append(EventTrigger(kind: .delay, fields: [.estimated], delayMinutes: delay)) }
    }
}
