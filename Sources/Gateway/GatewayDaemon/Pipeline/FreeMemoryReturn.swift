import Synchronization
import Timing

/// Gives freed heap memory back to the kernel when the pipeline has nothing to do and enough
/// frames went through since the last time for there to be something to give back.
///
/// The pipeline's threads allocate and free a batch's rows, payloads and parameters by the
/// megabyte, and the allocator keeps what is freed for reuse. Under a resynchronisation burst
/// (glibc's allocator then) the live heap stayed near 25 MB while the resident size grew to
/// 220 MB and stayed there until trimmed (226 MB → 90 MB, docs/PERFORMANCE.md). jemalloc gives
/// its freed pages back by itself over 10 s (`dirty_decay_ms`), but only as it is called: an
/// idle daemon would keep them. So once a burst is over the pages go back at once (a purge of
/// all arenas); during the burst nothing is purged, since purged pages are faulted in again by
/// the next batch (a purge after every 4,000 frames cost the 10,000-flight day 14 % more CPU
/// per update).
final class FreeMemoryReturn: Sendable {
    private let interval: UInt64
    private let framesPerReturn: Int
    private let last = Atomic<UInt64>(0)
    private let framesSinceReturn = Atomic<Int>(0)

    /// - Parameters:
    ///   - interval: the least time between two purges.
    ///   - framesPerReturn: the frames committed since the last purge before the next is due
    ///     (the default is one full batch).
    init(interval: Duration = .milliseconds(250), framesPerReturn: Int = FlightPipeline.Settings.defaultMaxBatch) {
        let (seconds, attoseconds) = interval.components
        self.interval = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        self.framesPerReturn = framesPerReturn
    }

    /// Counts `frames` as committed; cheap.
    func committed(frames: Int) {
        framesSinceReturn.add(frames, ordering: .relaxed)
    }

    /// The pipeline is idle: purges if both the time and the frames since the last purge are
    /// reached. Returns how long the purge took, in nanoseconds (0: not due).
    @discardableResult
    func returnIfDue() -> UInt64 {
        guard framesSinceReturn.load(ordering: .relaxed) >= framesPerReturn else { return 0 }
        let now = monotonicNanoseconds()
        let previous = last.load(ordering: .relaxed)
        guard now &- previous >= interval,
            last.compareExchange(expected: previous, desired: now, ordering: .relaxed).exchanged
        else { return 0 }
        framesSinceReturn.store(0, ordering: .relaxed)
        Jemalloc.purge()
        return monotonicNanoseconds() - now
    }
}
