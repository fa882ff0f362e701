import Dispatch
import Synchronization

/// Runs async work from a thread that must wait for it: the event source's callback, which
/// acknowledges its message only when it returns. Never call it from a Swift concurrency thread.
enum BlockingAwait {
    static func run<Result: Sendable>(_ work: @escaping @Sendable () async throws -> Result) throws -> Result {
        let done = DispatchSemaphore(value: 0)
        let box = Mutex<Swift.Result<Result, any Error>?>(nil)
        Task {
            let result: Swift.Result<Result, any Error>
            do { result = .success(try await work()) } catch { result = .failure(error) }
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        return try box.withLock { $0! }.get()
    }
}
