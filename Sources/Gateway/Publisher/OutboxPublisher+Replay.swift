import Logging

extension OutboxPublisher {
    /// Publishes events again, unchanged (`cmd/replay`): the same topic, bytes, QoS and
    /// properties as their first publication, after the live events and within the same
    /// in-flight window. A connection lost meanwhile puts the unacknowledged ones back, to go
    /// again after the reconnect; their outbox rows are not touched.
    ///
    /// Returns once every message of `messages` has been handed to the broker (the caller then
    /// reads the next page: at most one page waits in memory), or when the task is cancelled
    /// or the link has stopped. Returns false in those last two cases.
    public func replay(_ messages: [OutgoingMessage]) async -> Bool {
        for var message in messages {
            message.isReplay = true
            message.outboxID = nil
            message.receivedAtNanoseconds = 0
            replays.append(message)
        }
        replaysQueued += messages.count
        let target = replaysQueued
        pump()
        return await withTaskCancellationHandler {
            while replaysSent < target {
                if Task.isCancelled || linkEnded { return false }
                await nextProgress()
            }
            return true
        } onCancel: {
            Task { await self.progressed() }
        }
    }

    /// Sends replayed events while the window has room, after state and live events.
    func pumpReplays() {
        let sentBefore = replaysSent
        while inflight.count < settings.maxInflight, eventsHead >= events.count, replaysHead < replays.count {
            guard send(replays[replaysHead]) else { return }
            replaysHead += 1
            replaysSent += 1
        }
        if replaysHead > 4096 || replaysHead == replays.count {
            replays.removeFirst(replaysHead)
            replaysHead = 0
        }
        if replaysSent != sentBefore { progressed() }
    }

    /// Replayed events a lost connection or a refusal took back: first in the queue again.
    func requeueReplays(_ messages: [OutgoingMessage]) {
        guard !messages.isEmpty else { return }
        replays.replaceSubrange(replaysHead..<replaysHead, with: messages)
        replaysSent -= messages.count
    }

    /// A message on the replay topic: handed to whoever consumes ``replayRequests``.
    func received(replayRequest payload: [UInt8]) {
        if case .dropped = replayRequestsContinuation.yield(payload) {
            logger.warning("replay request dropped: 64 requests are already waiting")
        }
    }
}
