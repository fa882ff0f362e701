/// What the planner decided for one event: the view to store, the notifications to schedule, and
/// the pending ones to call off. The relay applies it in one transaction.
public struct Plan: Sendable, Hashable {
    /// The view to store in place of the one given (also when nothing is planned).
    public var view: PassengerView
    /// New notifications, each due at its ``PlannedNotification/dueAt``; one whose
    /// ``PlannedNotification/supersedes`` names a pending one replaces it (cancel that one).
    public var notifications: [PlannedNotification]
    /// Pending notifications that no longer apply and are not replaced (the gate went back).
    public var cancellations: [Cancellation]
    /// Why the event changed nothing at all, when it was not applied.
    public var skipped: SkipReason?

    public init(
        view: PassengerView, notifications: [PlannedNotification] = [], cancellations: [Cancellation] = [],
        skipped: SkipReason? = nil
    ) {
        self.view = view
        self.notifications = notifications
        self.cancellations = cancellations
        self.skipped = skipped
    }

    /// Why an event was not applied.
    public enum SkipReason: String, Sendable, Hashable {
        /// Its `seq` (and kind) was applied already, or a newer `seq` was: a redelivery or a late straggler.
        case alreadyApplied = "already-applied"
    }
}

/// A pending notification to call off.
public struct Cancellation: Sendable, Hashable {
    /// The ``PlannedNotification/id`` of the pending notification.
    public var id: String
    /// Its topic.
    public var topic: NotificationTopic
    /// Why.
    public var reason: Reason

    public init(id: String, topic: NotificationTopic, reason: Reason) {
        self.id = id
        self.topic = topic
        self.reason = reason
    }

    /// Why a pending notification is called off.
    public enum Reason: String, Sendable, Hashable {
        /// The value went back to what the passenger knows (a gate that changed back, a delay that shrank).
        case reverted
        /// It no longer matters: the flight was cancelled, or the change fell outside the window.
        case obsolete
        /// The subscription no longer asks for it.
        case unwanted
    }
}
