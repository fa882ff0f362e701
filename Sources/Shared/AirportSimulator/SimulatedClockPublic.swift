/// The simulator's calendar helpers for the command line.
public enum SimulatedClockPublic {
    /// Seconds since 1970 of midnight UTC on `yyyy-MM-dd`, or nil when it is not a date.
    public static func midnight(_ date: String) -> Int64? { SimulatedClock.midnight(date) }
}
