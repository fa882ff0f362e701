/// The notifications one recipient's empty ``RecipientBudget`` held back, to go out as one
/// message when a token is there. Keeps only the newest per ``PlannedNotification/replaceKey``
/// (never two stale messages of one topic), and forgets one the planner cancels.
public struct NotificationDigest: Sendable, Hashable {
    /// The held notifications, oldest due first.
    public private(set) var items: [PlannedNotification]

    /// A digest of `items`, folded as ``add(_:)`` would.
    public init(_ items: [PlannedNotification] = []) {
        self.items = []
        for item in items { add(item) }
    }

    /// Holds `notification`; it replaces a held one of the same flight and topic.
    public mutating func add(_ notification: PlannedNotification) {
        items.removeAll { $0.replaceKey == notification.replaceKey || $0.id == notification.supersedes }
        items.append(notification)
        items.sort { ($0.dueAt, $0.id) < ($1.dueAt, $1.id) }
    }

    /// Forgets the held notification `id` (a ``Cancellation`` or a superseded one); true when it was held.
    @discardableResult
    public mutating func remove(id: String) -> Bool {
        let count = items.count
        items.removeAll { $0.id == id }
        return items.count != count
    }

    /// True when nothing is held.
    public var isEmpty: Bool { items.isEmpty }

    /// True when a held item is urgent (the digest should then say so first).
    public var isUrgent: Bool { items.contains { $0.urgent } }
}
