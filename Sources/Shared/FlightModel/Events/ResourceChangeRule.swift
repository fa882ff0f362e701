/// `gate-change`, `belt-change`, `terminal-change`: a resource field goes from one value to
/// another, or (for gates and belts) is first assigned. Clearing a resource fires nothing: a
/// board shows no gate rather than a wrong one, and the next assignment fires as a first
/// assignment (with the cleared value, null, as `previous`). A first terminal is no event:
/// nearly every flight has one from its first message; only a move between terminals is news.
struct ResourceChangeRule: EventRule {
    let field: FlightField
    let kind: EventKind
    /// Whether a value where there was none (unknown or cleared) fires.
    let firesOnFirstAssignment: Bool

    static let gate = ResourceChangeRule(field: .gate, kind: .gateChange, firesOnFirstAssignment: true)
    static let belt = ResourceChangeRule(field: .belt, kind: .beltChange, firesOnFirstAssignment: true)
    static let terminal = ResourceChangeRule(field: .terminal, kind: .terminalChange, firesOnFirstAssignment: false)

    func evaluate(_ transition: inout FlightTransition, policy: EventPolicy, into triggers: inout [EventTrigger]) {
        guard transition.didChange(field), transition.new(field) != nil else { return }
        guard firesOnFirstAssignment || transition.old(field) != nil else { return }
        triggers.append(EventTrigger(kind: kind, fields: [field]))
    }
}
