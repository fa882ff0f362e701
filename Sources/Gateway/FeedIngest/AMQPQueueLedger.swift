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
        /// The one task waiting (the feed's), and what it waits for.
        var waiter: Waiter?
        var nextWaiterID = 0

        var allCommitted: Bool { delivered <= committed }
    }

    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Void, Never>
        /// True once what the waiter waits for has happened.
        var isSatisfied: @Sendable (_ committed: UInt64, _ acknowledged: UInt64, _ allCommitted: Bool) -> Bool
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
        let waiter = state.withLock { state -> Waiter? in
            let waiter = state.waiter
            let nextWaiterID = state.nextWaiterID
            state = State()
            state.connection = connection
            state.nextWaiterID = nextWaiterID
            return waiter
        }
        waiter?.continuation.resume()
    }

    /// Messages up to `tag` were handed to the pipeline.
    func delivered(through tag: UInt64) {
        state.withLock { $0.delivered = max($0.delivered, tag) }
    }

    /// The batch holding the message `tag` of `connection` committed (called by the pipeline).
    func committed(connection: Int, through tag: UInt64) {
        let waiter = state.withLock { state -> Waiter? in
            guard state.connection == connection, tag > state.committed else { return nil }
            state.committed = tag
            guard let waiter = state.waiter,
                waiter.isSatisfied(state.committed, state.acknowledged, state.allCommitted)
            else { return nil }
            state.waiter = nil
            return waiter
        }
        waiter?.continuation.resume()
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

    /// Waits until there is something to acknowledge (a commit beyond what was acknowledged) or
    /// nothing waits for a commit, at most `timeout`.
    func waitForAcknowledgements(timeout: Duration) async {
        await wait(timeout: timeout) { committed, acknowledged, allCommitted in committed > acknowledged || allCommitted }
    }

    /// Waits until the pipeline commits more than it had when called, or everything delivered
    /// is committed, at most `timeout`. (Commits
    /// not yet acknowledged do not end the wait: a stop or a lost connection waits for the
    /// pipeline, not for the acknowledgements it takes at the end.)
    func waitForCommit(timeout: Duration) async {
        let seen = state.withLock { $0.committed }
        await wait(timeout: timeout) { committed, _, allCommitted in committed > seen || allCommitted }
    }

    /// Parks the calling task until `isSatisfied` holds after a commit, a new connection or the
    /// timeout, whichever is first. Not ended by cancellation: a stop waits (boundedly) for the
    /// commit of what the feed handed over, so that it can acknowledge it.
    private func wait(
        timeout: Duration,
        until isSatisfied: @escaping @Sendable (_ committed: UInt64, _ acknowledged: UInt64, _ allCommitted: Bool) -> Bool
    ) async {
        let id = state.withLock { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        // Resumes the waiter `id` if it is still the one parked (and marks it gone either way,
        // so that a timer or cancellation that comes before the park is not lost).
        let release = { @Sendable in
            let waiter = self.state.withLock { state -> Waiter? in
                guard state.waiter?.id == id else {
                    if state.nextWaiterID == id { state.nextWaiterID += 1 }  // the park sees it and returns
                    return nil
                }
                defer { state.waiter = nil }
                return state.waiter
            }
            waiter?.continuation.resume()
        }
        let timer = Task {
            try? await Task.sleep(for: timeout)
            release()
        }
        defer { timer.cancel() }
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.nextWaiterID != id { return true }  // the timer came before the park
                if isSatisfied(state.committed, state.acknowledged, state.allCommitted) { return true }
                let previous = state.waiter
                state.waiter = Waiter(id: id, continuation: continuation, isSatisfied: isSatisfied)
                previous?.continuation.resume()
                return false
            }
            if now { continuation.resume() }
        }
    }
}
