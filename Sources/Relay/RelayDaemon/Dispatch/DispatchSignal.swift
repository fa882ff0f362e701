import Synchronization

/// Wakes the dispatcher's loops when the intake created deliveries, so a message leaves within
/// milliseconds instead of at the next poll. Several signals before a wait count as one.
final class DispatchSignal: Sendable {
    private struct State {
        var pending = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    /// Wakes every waiting loop (or the next one to wait).
    func wake() {
        let waiters = state.withLock { state in
            let waiters = state.waiters
            state.waiters.removeAll()
            if waiters.isEmpty { state.pending = true }
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Returns at the next ``wake()`` (at once if one came since the last wait), or after `timeout`.
    func wait(timeout: Duration) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForWake() }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
            // The sleeper ends on cancellation; a waiter still parked is released here.
            self.releaseAll()
        }
    }

    private func waitForWake() async {
        await withCheckedContinuation { continuation in
            let resumeNow = state.withLock { state in
                if state.pending {
                    state.pending = false
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if resumeNow { continuation.resume() }
        }
    }

    private func releaseAll() {
        let waiters = state.withLock { state in
            let waiters = state.waiters
            state.waiters.removeAll()
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }
}
