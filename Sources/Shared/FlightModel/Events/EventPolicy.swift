/// The thresholds of the `delay` event (`[events]` in the configuration).
public struct EventPolicy: Sendable, Hashable {
    /// `delay_threshold_minutes` (default 15): a delay is announced once estimated − scheduled
    /// reaches this many minutes, and recovered when it falls below it again.
    public var delayThresholdMinutes: Int
    /// `delay_step_minutes` (default 5): while a delay is announced, another `delay` event fires
    /// when the delay has moved this many minutes from the one last announced, either way.
    /// Values below 1 count as 1.
    public var delayStepMinutes: Int

    /// The policy of `[events]`; the defaults are the configuration's.
    public init(delayThresholdMinutes: Int = 15, delayStepMinutes: Int = 5) {
        self.delayThresholdMinutes = delayThresholdMinutes
        self.delayStepMinutes = delayStepMinutes
    }
}
