/// Why a stored ``PassengerView``, ``PlannedNotification`` or ``RecipientBudget`` could not be
/// read back: the member's path and what is wrong with it. Only a hand-edited or foreign row
/// causes it; the relay should log it with the row's key and start that view afresh.
public struct StoredStateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The member's path (`pending[0].facts.airline`); nil when the whole document is wrong.
    public var field: String?
    /// What is wrong.
    public var message: String
    public var description: String { "stored notification state: \(message)" }

    public init(field: String?, _ message: String) {
        self.field = field
        self.message = message
    }

    init(_ error: RelayEventError) {
        self.init(field: error.field, error.message)
    }
}
