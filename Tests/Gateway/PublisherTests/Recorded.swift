import Synchronization

/// State a fake records, which a test can wait on: every change wakes the waiters whose
/// condition now holds, so a test waits for exactly what it expects, never a fixed time.
final class Recorded<State: Sendable>: Sendable {
    private struct Waiter: Sendable {
        let condition: @Sendable (State) -> Bool
        let continuation: CheckedContinuation<Void, any Error>
    }

    private struct Storage: Sendable {
        var state: State
        var waiters: [Int: Waiter] = [:]
        var nextWaiter = 0
        /// Waiters cancelled before they were registered.
        var cancelled: Set<Int> = []
    }

    private let storage: Mutex<Storage>

    init(_ initial: State) { storage = Mutex(Storage(state: initial)) }

    /// The state now.
    var value: State { storage.withLock { $0.state } }

    /// Changes the state and wakes the waiters it satisfies.
    func update<Result: Sendable>(_ change: @Sendable (inout State) -> Result) -> Result {
        let (result, satisfied) = storage.withLock { storage -> (Result, [Waiter]) in
            let result = change(&storage.state)
            let state = storage.state
            let satisfied = storage.waiters.filter { $0.value.condition(state) }
            for key in satisfied.keys { storage.waiters.removeValue(forKey: key) }
            return (result, Array(satisfied.values))
        }
        for waiter in satisfied { waiter.continuation.resume() }
        return result
    }

    /// Waits until `condition` holds and returns the state then; throws ``WaitTimedOut`` after
    /// `timeout`.
    @discardableResult
    func wait(
        for what: String, within timeout: Duration = .seconds(5), until condition: @escaping @Sendable (State) -> Bool
    ) async throws -> State {
        let id = storage.withLock { storage in
            defer { storage.nextWaiter += 1 }
            return storage.nextWaiter
        }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.waitWithoutTimeout(id, condition) }
            group.addTask {
                try await Task.sleep(for: timeout)
                throw WaitTimedOut(description: "timed out after \(timeout) waiting for \(what); state: \(self.value)")
            }
            try await group.next()
            group.cancelAll()
        }
        return value
    }

    private func waitWithoutTimeout(_ id: Int, _ condition: @escaping @Sendable (State) -> Bool) async throws {
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                let outcome = storage.withLock { storage -> Result<Void, any Error>? in
                    if storage.cancelled.remove(id) != nil { return .failure(CancellationError()) }
                    if condition(storage.state) { return .success(()) }
                    storage.waiters[id] = Waiter(condition: condition, continuation: continuation)
                    return nil
                }
                if let outcome { continuation.resume(with: outcome) }
            }
        } onCancel: {
            let waiter = storage.withLock { storage -> Waiter? in
                if let waiter = storage.waiters.removeValue(forKey: id) { return waiter }
                storage.cancelled.insert(id)
                return nil
            }
            waiter?.continuation.resume(throwing: CancellationError())
        }
    }
}

/// What ``Recorded/wait(for:within:until:)`` throws when the condition did not come true.
struct WaitTimedOut: Error, CustomStringConvertible {
    var description: String
}
