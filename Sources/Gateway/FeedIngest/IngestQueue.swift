import Synchronization

/// The bounded hand-off between feed readers and the pipeline: where backpressure starts.
///
/// Readers `push`; when the queue holds `capacityBytes` (or `capacityItems`), `push` suspends,
/// so a TCP reader stops reading (the kernel's window closes and the sender's writes block) and
/// a file reader stops advancing. The pipeline takes everything queued at once with
/// ``takeBatch(maxItems:)``, which is how batches form: what arrived during the last commit.
public final class IngestQueue<Element: Sendable>: Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Void, Never>
    }

    private struct State {
        /// Taken slots (before `head`) are emptied at once: the array is compacted only now and
        /// then, and a taken frame kept here stayed resident until then (issue 18, item 3: 300 MB
        /// of bad lines, all taken and committed, were all still held while more kept coming).
        var items: [(element: Element?, weight: Int)] = []
        var head = 0
        var bytes = 0
        var finished = false
        var producers: [Waiter] = []
        var consumer: CheckedContinuation<Void, Never>?
        var nextWaiterID = 0
        var accepted: Int64 = 0
        var wakePending = false

        var count: Int { items.count - head }
    }

    public let capacityBytes: Int
    public let capacityItems: Int
    private let state = Mutex(State())

    public init(capacityBytes: Int = 64 << 20, capacityItems: Int = 20_000) {
        self.capacityBytes = capacityBytes
        self.capacityItems = capacityItems
    }

    /// Items waiting now.
    public var count: Int { state.withLock { $0.count } }

    /// Elements accepted since the start: with the consumer's own count, tells when everything
    /// pushed so far has been handled.
    public var acceptedCount: Int64 { state.withLock { $0.accepted } }

    /// True once ``finish()`` was called.
    public var isFinished: Bool { state.withLock { $0.finished } }

    /// Bytes waiting now.
    public var queuedBytes: Int { state.withLock { $0.bytes } }

    /// Adds an element, waiting while the queue is full. Returns false when the queue was
    /// finished (the pipeline is shutting down) or the task was cancelled while waiting: the
    /// element was not taken.
    @discardableResult
    public func push(_ element: consuming Element, weight: Int) async -> Bool {
        // Moved into the queue, not copied: a frame's copy retains each reference it holds.
        var pending: Element? = .some(consume element)
        while true {
            if Task.isCancelled { return false }
            let outcome = state.withLock { state -> (accepted: Bool?, wake: CheckedContinuation<Void, Never>?) in
                if state.finished { return (false, nil) }
                let full = state.count > 0 && (state.bytes + weight > capacityBytes || state.count >= capacityItems)
                if full { return (nil, nil) }
                state.items.append((pending.take(), weight))
                state.bytes += weight
                state.accepted += 1
                let consumer = state.consumer
                state.consumer = nil
                return (true, consumer)
            }
            if let accepted = outcome.accepted {
                outcome.wake?.resume()
                return accepted
            }
            await waitForRoom()
        }
    }

    private func waitForRoom() async {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    let full = state.count > 0 && (state.bytes >= capacityBytes || state.count >= capacityItems)
                    if state.finished || !full { return true }
                    state.producers.append(Waiter(id: id, continuation: continuation))
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.producers.firstIndex(where: { $0.id == id }) else { return nil }
                return state.producers.remove(at: index)
            }
            waiter?.continuation.resume()
        }
    }

    /// Takes up to `maxItems` waiting elements, oldest first, suspending while there are none.
    /// Returns an empty array only when the queue is finished and drained.
    public func takeBatch(maxItems: Int, maxBytes: Int = .max) async -> [Element] {
        while true {
            let batch = takeAvailable(maxItems: maxItems, maxBytes: maxBytes)
            if !batch.isEmpty { return batch }
            let finished = await waitForItems()
            if finished && count == 0 { return [] }
        }
    }

    /// Takes up to `maxItems` waiting elements, oldest first, without waiting (none: empty);
    /// no more than `maxBytes` of their weight, but always the first one waiting.
    public func takeAvailable(maxItems: Int, maxBytes: Int = .max) -> [Element] {
        let (batch, producers) = state.withLock { state -> ([Element], [Waiter]) in
            let head = state.head
            let limit = min(maxItems, state.items.count - head)
            var taken = 0
            var weight = 0
            while taken < limit {
                let next = state.items[head + taken].weight
                if taken > 0 && weight + next > maxBytes { break }
                weight += next
                taken += 1
            }
            guard taken > 0 else { return ([], []) }
            var batch: [Element] = []
            batch.reserveCapacity(taken)
            // Moved out, not copied and then cleared: a copy retained every reference in it.
            for index in head..<(head + taken) {
                batch.append(state.items[index].element.take()!)
            }
            state.bytes -= weight
            state.head += taken
            if state.head == state.items.count {
                state.items.removeAll(keepingCapacity: true)
                state.head = 0
            } else if state.head > 4096 {
                state.items.removeFirst(state.head)
                state.head = 0
            }
            let producers = state.producers
            state.producers.removeAll()
            return (batch, producers)
        }
        for producer in producers { producer.continuation.resume() }
        return batch
    }

    /// Wakes the consumer in ``waitForItemsOrWake()``, or makes its next call return at once:
    /// how the pipeline learns that its commit in flight ended while it waits for frames.
    public func wake() {
        let consumer = state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.wakePending = true
            defer { state.consumer = nil }
            return state.consumer
        }
        consumer?.resume()
    }

    /// Waits until an element arrives, the queue is finished, or ``wake()`` is called.
    public func waitForItemsOrWake() async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.wakePending || state.count > 0 || state.finished { return true }
                state.consumer = continuation
                return false
            }
            if now { continuation.resume() }
        }
        state.withLock { $0.wakePending = false }
    }

    /// Waits until an element arrives or the queue is finished; true when finished.
    private func waitForItems() async -> Bool {
        await withCheckedContinuation { continuation in
            let wakeNow = state.withLock { state -> Bool in
                if state.count > 0 || state.finished { return true }
                state.consumer = continuation
                return false
            }
            if wakeNow { continuation.resume() }
        }
        return state.withLock { $0.finished }
    }

    /// No more elements will be accepted; waiting producers return false, and the consumer
    /// drains what is queued.
    public func finish() {
        let (producers, consumer) = state.withLock { state -> ([Waiter], CheckedContinuation<Void, Never>?) in
            state.finished = true
            let producers = state.producers
            state.producers.removeAll()
            let consumer = state.consumer
            state.consumer = nil
            return (producers, consumer)
        }
        for producer in producers { producer.continuation.resume() }
        consumer?.resume()
    }
}

extension IngestQueue where Element == Frame {
    /// ``takeBatch(maxItems:maxBytes:)`` compiled for frames in this module: called from the
    /// pipeline's module, the generic method ran unspecialized, every slot read and emptied
    /// through the runtime's generic copies (~700 instructions a frame, callgrind).
    public func takeFrames(maxItems: Int, maxBytes: Int = .max) async -> [Frame] {
        await takeBatch(maxItems: maxItems, maxBytes: maxBytes)
    }

    /// ``takeAvailable(maxItems:maxBytes:)`` compiled for frames (see ``takeFrames(maxItems:maxBytes:)``).
    public func takeAvailableFrames(maxItems: Int, maxBytes: Int = .max) -> [Frame] {
        takeAvailable(maxItems: maxItems, maxBytes: maxBytes)
    }
}
