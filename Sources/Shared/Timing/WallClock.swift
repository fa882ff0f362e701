#if canImport(Glibc)
import Glibc
#endif

public import FlightModel

/// The wall clock, kept out of the pure modules: the state engine, the decoders and the
/// configuration are given times, they never read one.
public enum WallClock {
    /// Milliseconds since 1970 (UTC).
    public static var milliseconds: Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }
}

extension Timestamp {
    /// The current wall-clock time, to the millisecond.
    public static var now: Timestamp { Timestamp(millisecondsSinceEpoch: WallClock.milliseconds) }
}
