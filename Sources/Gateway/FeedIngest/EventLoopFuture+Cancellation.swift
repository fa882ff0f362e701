import NIOCore
import Synchronization

extension EventLoopFuture where Value: Sendable {
    /// The future's value, or `CancellationError` as soon as the waiting task is cancelled.
    ///
    /// For blocking C calls run on a thread of their own (ODBC, rabbitmq-c): a stop must not
    /// wait out a 30-second query or a connect. The work itself runs on to its end on its
    /// thread; whoever owns that thread closes what it left once it is done.
    func valueUnlessCancelled() async throws -> Value {
        let waiter = OneResumption<Value>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                waiter.park(continuation)
                whenComplete { waiter.resume(with: $0) }
                if Task.isCancelled { waiter.resume(with: .failure(CancellationError())) }
            }
        } onCancel: {
            waiter.resume(with: .failure(CancellationError()))
        }
    }
}

/// A continuation resumed by whichever comes first (the result, or the cancellation), once.
private final class OneResumption<Value: Sendable>: Sendable {
    private let continuation = Mutex<CheckedContinuation<Value, any Error>?>(nil)
    /// Set when a resumption came before the continuation was parked.
    private let early = Mutex<Result<Value, any Error>?>(nil)

    func park(_ continuation: CheckedContinuation<Value, any Error>) {
        let result = self.continuation.withLock { slot -> Result<Value, any Error>? in
            if let result = early.withLock({ $0 }) { return result }
            slot = continuation
            return nil
        }
        if let result { continuation.resume(with: result) }
    }

    func resume(with result: Result<Value, any Error>) {
        let parked = continuation.withLock { slot -> CheckedContinuation<Value, any Error>? in
            guard let parked = slot else {
                early.withLock { if $0 == nil { $0 = result } }
                return nil
            }
            slot = nil
            early.withLock { $0 = result }  // anything later is ignored
            return parked
        }
        parked?.resume(with: result)
    }
}
