import Dispatch
import Foundation
import Synchronization

/// Decodes the frames of one read on both cores and gives them back in feed order.
///
/// Decoding is pure (FeedFormats), so the frames a read brought (a TCP read of 64 KB holds
/// seven AIDX messages of 8.5 kB) can be decoded side by side: the feed's own task takes frames
/// one at a time from a shared counter, and `width - 1` helper threads take frames from the
/// same counter. Each result lands in its frame's own slot, so the order, each frame's
/// position and which frames are rejected are exactly what decoding them one by one gives; the
/// caller then queues them in order, as before.
///
/// The feed's task never waits for a helper to start: a helper that is late finds nothing left
/// to take, and the task waits only for a frame a helper is in the middle of. A read too small
/// to pay for the hand-off (under ``parallelBytes``) is decoded in the task, as before.
public struct OrderedDecoder: Sendable {
    /// Reads smaller than this are decoded in the feed's task: a hand-off costs a few
    /// microseconds, a 172-byte JSON line about two to decode.
    public static let parallelBytes = 16 << 10

    /// How many frames are decoded at once: the feed's task and `width - 1` helpers.
    public let width: Int
    private let decode: @Sendable (Frame) -> DecodedFrame

    /// Helpers run here, on threads of their own, not on Swift's cooperative pool, whose two
    /// threads run the pipeline: a decode never delays a commit's turn there.
    private static let helpers = DispatchQueue(label: "flightedge.decode", qos: .userInitiated, attributes: .concurrent)

    /// - Parameter width: frames decoded at once; by default one per core.
    public init(width: Int = OrderedDecoder.processorCount, decode: @escaping @Sendable (Frame) -> DecodedFrame) {
        self.width = max(1, width)
        self.decode = decode
    }

    /// The cores this process may use.
    public static var processorCount: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// Sets `decoded` on every frame that has none, in parallel when the frames are worth it.
    public func decode(_ frames: inout [Frame]) async {
        var bytes = 0
        for index in frames.indices { bytes += frames[index].bytes.count }
        guard width > 1, frames.count > 1, bytes >= Self.parallelBytes else {
            frames.withUnsafeMutableBufferPointer { frames in
                // Through the buffer: an array element passed to `decode` was copied first.
                for index in frames.indices where frames[index].decoded == nil { frames[index].decoded = decode(frames[index]) }
            }
            return
        }
        // The batch holds the only reference to the frames while they are decoded and hands
        // them back with their results: written back into an array the batch still shared,
        // every frame was copied (copy on write) once per read.
        let batch = DecodeBatch(frames: frames, decode: decode)
        frames = []
        for _ in 1..<min(width, batch.count) {
            Self.helpers.async { batch.work() }
        }
        batch.work()
        await batch.finished()
        frames = batch.takeFrames()
    }
}

/// One read's frames while they are decoded: a counter hands out frame indices, each result
/// has a slot of its own, and the last frame decoded resumes the waiting feed task.
private final class DecodeBatch: @unchecked Sendable {
    // Safe to share: `frames` is mutated only by ``takeFrames()``, after ``finished()``, when
    // every index has been taken and decoded (a worker that starts later reads `count` and
    // `next` only); slot `i` of `slots` is written only by the one worker that took index `i`
    // from `next`, and read only after `completed` reached the count (the read happens after
    // the atomic increment, the lock, or the continuation that says so).
    private var frames: [Frame]
    /// How many frames: what workers read, never `frames.count`.
    let count: Int
    private let decode: @Sendable (Frame) -> DecodedFrame
    private let slots: UnsafeMutableBufferPointer<DecodedFrame?>
    private let next = Atomic<Int>(0)
    private let completed = Atomic<Int>(0)
    private let waiter = Mutex<(done: Bool, continuation: CheckedContinuation<Void, Never>?)>((false, nil))

    init(frames: [Frame], decode: @escaping @Sendable (Frame) -> DecodedFrame) {
        self.frames = frames
        self.count = frames.count
        self.decode = decode
        slots = .allocate(capacity: frames.count)
        slots.initialize(repeating: nil)
    }

    deinit {
        slots.deinitialize()
        slots.deallocate()
    }

    /// Decodes frames until none is left to take.
    func work() {
        while true {
            let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
            guard index < count else { return }
            slots[index] = frames.withUnsafeBufferPointer { frames in frames[index].decoded ?? decode(frames[index]) }
            if completed.wrappingAdd(1, ordering: .acquiringAndReleasing).newValue == count {
                let continuation = waiter.withLock { state in
                    state.done = true
                    defer { state.continuation = nil }
                    return state.continuation
                }
                continuation?.resume()
            }
        }
    }

    /// Returns once every frame is decoded.
    func finished() async {
        if completed.load(ordering: .acquiring) == count { return }
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let resumeNow = waiter.withLock { state in
                if state.done { return true }
                state.continuation = continuation
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    /// The frames with their results, once ``finished()`` returned; the batch keeps none.
    func takeFrames() -> [Frame] {
        var taken: [Frame] = []
        swap(&taken, &frames)
        taken.withUnsafeMutableBufferPointer { taken in
            for index in taken.indices { taken[index].decoded = slots[index] }
        }
        return taken
    }
}
