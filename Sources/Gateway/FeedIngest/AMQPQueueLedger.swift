import Synchronization

/// Which messages of an `amqp` feed's connection have been delivered to the pipeline, which of
/// them the pipeline committed, and which the broker has been told: the acknowledgement window.
///
/// The pipeline commits a feed's frames in order, so "committed" is a prefix of what was
/// delivered: the ledger keeps the highest committed delivery tag of the current connection.
/// A completion from an earlier connection is ignored (its tags mean nothing on the new one;
/// the broker gives those messages again, and reading a message twice changes nothing).
final class AMQPQueueLedger: Sendable {
    private struct State {
        var connection = 0
        var delivered: UInt64 = 0
        var committed: UInt64 = 0
        var acknowledged: UInt64 = 0
        var waiter: CheckedContinuation<Void, Never>?
        var waiterID = 0
    }

    private let state = Mutex(State())

    /// The digest of the last message handed over, kept across the feed's connections.
    final class Digest: Sendable {
        private let stored = Mutex<String?>(nil)
        var value: String? {
            get { stored.withLock { $0 } }
            set { stored.withLock { $0 = newValue } }
        }
    }

    /// A new connection: its delivery tags start again at 1.
    func connected(_ connection: Int) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            let waiter = state.waiter
            state = State()
            state.connection = connection
            return waiter
        }
        waiter?.resume()
    }

    /// Messages up to `tag` were handed to the pipeline.
    func delivered(through tag: UInt64) {
        state.withLock { $0.delivered = max($0.delivered, tag) }
    }

    /// The batch holding the message `tag` of `connection` committed (called by the pipeline).
    func committed(connection: Int, through tag: UInt64) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.connection == connection, tag > state.committed else { return nil }
            state.committed = tag
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Delivered messages whose batch has not committed yet.
    var uncommitted: UInt64 { state.withLock { $0.delivered > $0.committed ? $0.delivered - $0.committed : 0 } }

    /// The tags committed but not yet acknowledged, marked as acknowledged (the caller sends
    /// the acks on the connection's thread).
    func takeAcknowledgements() -> ClosedRange<UInt64>? {
        state.withLock { state in
            guard state.committed > state.acknowledged else { return nil }
            defer { state.acknowledged = state.committed }
            return (state.acknowledged + 1)...state.committed
        }
    }

    /// Waits until a commit arrives or `timeout` passes, whichever is first.
    func waitForCommit(timeout: Duration) async {
        let id = state.withLock { state -> Int in
            state.waiterID += 1
            return state.waiterID
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                guard state.waiterID == id else { return nil }
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.resume()
        }
        defer { timer.cancel() }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.committed > state.acknowledged || state.delivered <= state.committed { return true }
                state.waiter?.resume()
                state.waiter = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }
}
