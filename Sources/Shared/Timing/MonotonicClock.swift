#if canImport(Glibc)
import Glibc
#endif

/// A monotonic clock reading in nanoseconds, for latencies.
public func monotonicNanoseconds() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}
