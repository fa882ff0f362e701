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
    /// A setting of glibc's allocator (`mallopt`).
    enum AllocatorSetting: Equatable {
        /// `M_ARENA_MAX`: by default glibc gives up to eight arenas per core to the threads
        /// that allocate at once (NIO's, the cooperative pool's, the writer's, libmosquitto's),
        /// and each keeps what its thread freed. Two cut the peak resident size of the
        /// 10,000-flight burst by 10–15 MB at no measurable cost in throughput.
        case arenaLimit(Int32)
        /// `M_MMAP_THRESHOLD`: a block this large or larger that the heap has no free room for
        /// is mapped on its own (not grown into the heap) and unmapped when freed. By default
        /// glibc raises the threshold to the largest mapped block freed so far (up to 32 MB),
        /// so a batch's arrays and tables (0.5–1 MB each, a few per commit) grew the heap, and
        /// the small blocks allocated between them kept it from shrinking after they were
        /// freed: 8–10 MB of the 10,000-flight day's peak (docs/PERFORMANCE.md, eighth round).
        case mmapThreshold(Int32)
    }

    /// What the gateway sets, unless the operator set the same through the environment
    /// (`MALLOC_ARENA_MAX`, `MALLOC_MMAP_THRESHOLD_`, or `GLIBC_TUNABLES`).
    static func allocatorSettings(environment: [String: String]) -> [AllocatorSetting] {
        let tunables = environment["GLIBC_TUNABLES"] ?? ""
        var settings: [AllocatorSetting] = []
        if environment["MALLOC_ARENA_MAX"] == nil, !tunables.contains("arena_max") {
            settings.append(.arenaLimit(2))
        }
        if environment["MALLOC_MMAP_THRESHOLD_"] == nil, !tunables.contains("mmap_threshold") {
            settings.append(.mmapThreshold(512 * 1024))
        }
        return settings
    }

    /// Applies ``allocatorSettings(environment:)``. Call it before the threads start: glibc
    /// fixes its arena limit once eight arenas exist.
    static func configureAllocator(environment: [String: String] = ProcessInfo.processInfo.environment) {
        for setting in allocatorSettings(environment: environment) {
            switch setting {
            case .arenaLimit(let limit): mallopt(M_ARENA_MAX, limit)
            case .mmapThreshold(let bytes): mallopt(M_MMAP_THRESHOLD, bytes)
            }
        }
    }
}
