internal import CMalloc
import Synchronization
import Timing

/// Gives freed heap memory back to the kernel, at most every `interval`.
///
/// glibc keeps what is freed in its per-thread arenas, and the pipeline's threads allocate and
/// free a batch's rows, payloads and parameters by the megabyte. Under a resynchronisation burst
/// the live heap stayed near 25 MB while the resident size grew to 220 MB and stayed there;
/// `malloc_trim` returns the free pages (measured: 226 MB → 90 MB, docs/PERFORMANCE.md).
final class FreeMemoryReturn: Sendable {
    private let interval: UInt64
    private let last = Atomic<UInt64>(0)

    init(interval: Duration = .milliseconds(250)) {
        let (seconds, attoseconds) = interval.components
        self.interval = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
    }

    /// Trims if the last trim is at least `interval` ago; cheap otherwise. Returns how long
    /// the trim took, in nanoseconds (0: not due).
    @discardableResult
    func trimIfDue() -> UInt64 {
        let now = monotonicNanoseconds()
        let previous = last.load(ordering: .relaxed)
        guard now &- previous >= interval,
            last.compareExchange(expected: previous, desired: now, ordering: .relaxed).exchanged
        else { return 0 }
        malloc_trim(0)
        return monotonicNanoseconds() - now
    }
}
