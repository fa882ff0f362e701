import Synchronization

/// The pipeline's third stage: committed batches are handed on in commit order while the next
/// batch's commit already runs. ``drain()`` waits, without polling, until everything submitted
/// has been handed on.
final class PublishStage: Sendable {
    private let continuation: AsyncStream<(PreparedBatch, [Int64?])>.Continuation
    private let task: Task<Void, Never>
    private let tally = Tally()

    /// Batches submitted and handed on, and who waits for them; shared with the stage's task.
    private final class Tally: Sendable {
        struct State {
            var submitted = 0
            var done = 0
            var waiting: [(upTo: Int, continuation: CheckedContinuation<Void, Never>)] = []
        }
        let state = Mutex(State())
    }

    /// - Parameter publish: called for each committed batch, in order, one at a time.
    init(publish: @escaping @Sendable (PreparedBatch, [Int64?]) async -> Void) {
        let (stream, continuation) = AsyncStream.makeStream(of: (PreparedBatch, [Int64?]).self)
        self.continuation = continuation
        let tally = self.tally
        task = Task {
            for await (batch, outboxIDs) in stream {
                await publish(batch, outboxIDs)
                let woken = tally.state.withLock { state -> [CheckedContinuation<Void, Never>] in
                    state.done += 1
                    let done = state.done
                    let ready = state.waiting.filter { $0.upTo <= done }.map(\.continuation)
                    state.waiting.removeAll { $0.upTo <= done }
                    return ready
                }
                for continuation in woken { continuation.resume() }
            }
        }
    }

    func submit(_ batch: PreparedBatch, outboxIDs: [Int64?]) {
        tally.state.withLock { $0.submitted += 1 }
        continuation.yield((batch, outboxIDs))
    }

    /// Waits until everything submitted so far is handed on.
    func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = tally.state.withLock { state -> Bool in
                if state.done >= state.submitted { return true }
                state.waiting.append((state.submitted, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// No more batches: the stage ends once it has handed on what it has.
    func close() { continuation.finish() }
}
