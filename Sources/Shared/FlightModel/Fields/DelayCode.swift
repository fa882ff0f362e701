/// An IATA delay code (AHM 730/731) and the minutes it accounts for. Codes stay text:
/// `09`, `81`, `93A`.
public struct DelayCode: Hashable, Sendable {
    /// The code as the source writes it, e.g. `81`.
    public var code: String
    /// The minutes of delay attributed to the code.
    public var minutes: Int

    /// A delay code with its minutes.
    public init(code: String, minutes: Int) {
        self.code = code
        self.minutes = minutes
    }
}
