import Synchronization
import Timing

/// What the pipeline has done, shared with the status line, the watchdog and `/metrics`.
public final class PipelineProgress: Sendable {
    private let updates = Atomic<Int64>(0)
    private let frames = Atomic<Int64>(0)
    private let events = Atomic<Int64>(0)
    private let rejected = Atomic<Int64>(0)
    private let lagMilliseconds = Atomic<Int64>(0)
    /// Set while the pipeline waits for a frame with nothing queued: idle is progress too.
    private let idle = Atomic<Bool>(true)
    /// Who waits for a number of committed frames (a reload stopping a feed).
    private let waiting = Mutex<[(frames: Int64, id: Int, continuation: CheckedContinuation<Void, Never>)]>([])
    private let waiterIDs = Atomic<Int>(0)

    public init() {}

    func committed(
        frames frameCount: Int, updates count: Int, events eventCount: Int, rejected rejectedCount: Int,
        lagMilliseconds lag: Int64
    ) {
        let total = frames.add(Int64(frameCount), ordering: .relaxed).newValue
        updates.add(Int64(count), ordering: .relaxed)
        events.add(Int64(eventCount), ordering: .relaxed)
        rejected.add(Int64(rejectedCount), ordering: .relaxed)
        lagMilliseconds.store(lag, ordering: .relaxed)
        heartbeat()
        let ready = waiting.withLock { waiting in
            let ready = waiting.filter { $0.frames <= total }.map(\.continuation)
            waiting.removeAll { $0.frames <= total }
            return ready
        }
        for continuation in ready { continuation.resume() }
    }

    /// Returns once `count` frames have been committed in all (or the task is cancelled).
    func waitUntilCommitted(frames count: Int64) async {
        let id = waiterIDs.add(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let done = waiting.withLock { waiting -> Bool in
                    if committedFrames >= count || Task.isCancelled { return true }
                    waiting.append((count, id, continuation))
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            let cancelled = waiting.withLock { waiting in
                let found = waiting.first { $0.id == id }?.continuation
                waiting.removeAll { $0.id == id }
                return found
            }
            cancelled?.resume()
        }
    }

    func setIdle(_ value: Bool) {
        // Work taken up starts the clock: from now on, a beat is due within `stallLimit`.
        if !value && idle.load(ordering: .relaxed) { lastBeat.store(monotonicNanoseconds(), ordering: .relaxed) }
        idle.store(value, ordering: .relaxed)
    }

    private let beats = Atomic<Int64>(0)
    private let lastBeat = Atomic<UInt64>(monotonicNanoseconds())
    /// The pipeline's loop is alive (committing, or waiting out an outage in its retry loop).
    func heartbeat() {
        beats.add(1, ordering: .relaxed)
        lastBeat.store(monotonicNanoseconds(), ordering: .relaxed)
    }
    public var heartbeats: Int64 { beats.load(ordering: .relaxed) }

    /// How long the pipeline may hold frames without a beat before it counts as stalled: a
    /// batch commits in well under a second; the watchdog report comes every 2 s.
    public static let stallLimit: Duration = .seconds(2)

    /// Seconds the pipeline has held work without progress (0 when idle): a stuck commit, a
    /// frame that takes long to decode. Over ``stallLimit`` `/healthz` answers 503 and
    /// `WATCHDOG=1` stops (one verdict for both: systemd and a load balancer see the same).
    public var stalledSeconds: Double {
        if isIdle { return 0 }
        let since = monotonicNanoseconds() &- lastBeat.load(ordering: .relaxed)
        return Double(since) / 1e9
    }

    /// True unless the pipeline holds work and has not progressed for ``stallLimit``.
    public var isProgressing: Bool {
        stalledSeconds <= Double(Self.stallLimit.components.seconds)
    }

    public var committedUpdates: Int64 { updates.load(ordering: .relaxed) }
    /// Frames whose batch committed, used or rejected: every frame taken ends up here.
    public var committedFrames: Int64 { frames.load(ordering: .relaxed) }
    public var derivedEvents: Int64 { events.load(ordering: .relaxed) }
    public var rejectedFrames: Int64 { rejected.load(ordering: .relaxed) }
    public var lastLagMilliseconds: Int64 { lagMilliseconds.load(ordering: .relaxed) }
    public var isIdle: Bool { idle.load(ordering: .relaxed) }
}
