public import FlightModel

/// The relay's `[rules]` table: thresholds and timers of the notification rules, with their defaults.
///
/// | key | default | meaning |
/// |---|---|---|
/// | `delay_threshold_minutes` | 30 | a delay is told from this many minutes late |
/// | `delay_step_minutes` | 30 | told again when it moved this far from what was last told |
/// | `gate_hold_seconds` | 120 | a gate or terminal change waits this long for a change back |
/// | `gate_window_hours` | 3 | gate and terminal changes are told only this close to the flight |
/// | `budget_capacity` | 10 | a recipient's rate limit: burst of notifications |
/// | `budget_refill_per_hour` | 10 | a recipient's rate limit: notifications per hour after the burst |
public struct RulesSettings: Sendable, Hashable {
    /// `delay_threshold_minutes`.
    public var delayThresholdMinutes: Int
    /// `delay_step_minutes` (at least 1 is used).
    public var delayStepMinutes: Int
    /// `gate_hold_seconds`.
    public var gateHoldSeconds: Int
    /// `gate_window_hours`.
    public var gateWindowHours: Int
    /// `budget_capacity`: the most tokens a recipient's ``RecipientBudget`` holds.
    public var budgetCapacity: Int
    /// `budget_refill_per_hour`: tokens a recipient's ``RecipientBudget`` regains per hour.
    public var budgetRefillPerHour: Int

    /// Settings with the defaults of the table above, each overridable.
    public init(
        delayThresholdMinutes: Int = 30, delayStepMinutes: Int = 30, gateHoldSeconds: Int = 120,
        gateWindowHours: Int = 3, budgetCapacity: Int = 10, budgetRefillPerHour: Int = 10
    ) {
        self.delayThresholdMinutes = delayThresholdMinutes
        self.delayStepMinutes = delayStepMinutes
        self.gateHoldSeconds = gateHoldSeconds
        self.gateWindowHours = gateWindowHours
        self.budgetCapacity = budgetCapacity
        self.budgetRefillPerHour = budgetRefillPerHour
    }

    /// A fresh, full budget for one recipient under these settings.
    public func newBudget(at now: Timestamp) -> RecipientBudget {
        RecipientBudget(capacity: budgetCapacity, refillPerHour: budgetRefillPerHour, now: now)
    }
}
