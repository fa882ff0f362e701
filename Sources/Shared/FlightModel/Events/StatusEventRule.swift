/// The events of a status change: `cancellation` (becomes `cancelled`, also when a flight is
/// first seen cancelled), `reinstatement` (from `cancelled` to any status but `deleted` and
/// `not-operating`, which do not bring a flight back), `diversion` (becomes `diverted`),
/// `boarding` (becomes `boarding`) and `gate-closed` (becomes `gate-closed`). A cleared status
/// fires nothing.
struct StatusEventRule: EventRule {
    func evaluate(_ transition: inout FlightTransition, policy: EventPolicy, into triggers: inout [EventTrigger]) {
        guard transition.didChange(.status), let new = transition.after.status else { return }
        let old = transition.old(.status)?.status
        switch new {
        case .cancelled:
            triggers.append(EventTrigger(kind: .cancellation, fields: [.status]))
        case .diverted:
            triggers.append(EventTrigger(kind: .diversion, fields: [.status, .destination]))
        case .boarding:
            triggers.append(EventTrigger(kind: .boarding, fields: [.status, .gate]))
        case .gateClosed:
            triggers.append(EventTrigger(kind: .gateClosed, fields: [.status, .gate]))
        default:
            break
        }
        if old == .cancelled, new != .cancelled, new != .deleted, new != .notOperating {
            triggers.append(EventTrigger(kind: .reinstatement, fields: [.status]))
        }
    }
}
