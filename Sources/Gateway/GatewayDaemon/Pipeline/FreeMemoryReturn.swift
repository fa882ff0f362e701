internal import CMalloc
import Foundation
import Synchronization
import Timing

/// Gives freed heap memory back to the kernel, at most every `interval` and only once enough
/// frames went through since the last time for there to be something to give back.
///
/// glibc keeps what is freed in its per-thread arenas, and the pipeline's threads allocate and
/// free a batch's rows, payloads and parameters by the megabyte. Under a resynchronisation burst
/// the live heap stayed near 25 MB while the resident size grew to 220 MB and stayed there;
/// `malloc_trim` returns the free pages (measured: 226 MB → 90 MB, docs/PERFORMANCE.md).
///
/// The trim runs on the publishing stage and locks each arena while it walks it: 1–4 ms on the
/// loaded test machine, once 124 ms, and every trim over 1 ms overlapped slow updates in the
/// slow-update trace. Under a steady light stream (1,000 frames/s, batches of one frame) glibc
/// gives back the top of its heaps by itself and a trim every 250 ms found little to return,
/// so the trim waits for `framesPerTrim` frames: every 250 ms under a burst of full batches,
/// every few seconds at 1,000/s.
final class FreeMemoryReturn: Sendable {
    private let interval: UInt64
    private let framesPerTrim: Int
    private let last = Atomic<UInt64>(0)
    private let framesSinceTrim = Atomic<Int>(0)

    /// - Parameters:
    ///   - interval: the least time between two trims.
    ///   - framesPerTrim: the frames committed since the last trim before the next is due (the
    ///     default is one full batch).
    init(interval: Duration = .milliseconds(250), framesPerTrim: Int = FlightPipeline.Settings.defaultMaxBatch) {
        let (seconds, attoseconds) = interval.components
        self.interval = UInt64(seconds) * 1_000_000_000 + UInt64(attoseconds / 1_000_000_000)
        self.framesPerTrim = framesPerTrim
    }

    /// Counts `frames` as committed and trims if both the time and the frames since the last
    /// trim are reached; cheap otherwise. Returns how long the trim took, in nanoseconds (0:
    /// not due).
    @discardableResult
    func trimIfDue(afterCommitting frames: Int) -> UInt64 {
        let pending = framesSinceTrim.add(frames, ordering: .relaxed).newValue
        guard pending >= framesPerTrim else { return 0 }
        let now = monotonicNanoseconds()
        let previous = last.load(ordering: .relaxed)
        guard now &- previous >= interval,
            last.compareExchange(expected: previous, desired: now, ordering: .relaxed).exchanged
        else { return 0 }
        framesSinceTrim.store(0, ordering: .relaxed)
        malloc_trim(0)
        return monotonicNanoseconds() - now
    }
}

extension FreeMemoryReturn {
    /// The arenas glibc may make (`M_ARENA_MAX`), unless the operator set `MALLOC_ARENA_MAX`
    /// or `GLIBC_TUNABLES`: by default glibc gives up to eight per core to the threads that
    /// allocate at once (NIO's, the cooperative pool's, the writer's, libmosquitto's), and each
    /// keeps what its thread freed. Two cut the peak resident size of the 10,000-flight burst
    /// by 10–15 MB at no measurable cost in throughput (docs/PERFORMANCE.md). Call it before
    /// the threads start: glibc fixes its limit once eight arenas exist.
    static let arenaLimit: Int32 = 2

    static func limitArenas(environment: [String: String] = ProcessInfo.processInfo.environment) {
        guard environment["MALLOC_ARENA_MAX"] == nil, environment["GLIBC_TUNABLES"]?.contains("arena_max") != true else {
            return
        }
        mallopt(M_ARENA_MAX, arenaLimit)
    }
}

