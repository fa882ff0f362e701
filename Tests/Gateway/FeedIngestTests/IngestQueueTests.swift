import FeedIngest
import Testing

@Suite struct IngestQueueTests {
    @Test func takesEverythingQueuedAsOneBatchInOrder() async {
        let queue = IngestQueue<Int>(capacityBytes: 1000, capacityItems: 100)
        for value in 1...5 { await queue.push(value, weight: 1) }
        #expect(await queue.takeBatch(maxItems: 100) == [1, 2, 3, 4, 5])
        await queue.push(6, weight: 1)
        #expect(await queue.takeBatch(maxItems: 100) == [6])
    }

    /// The frame-only entry points the pipeline calls take what the generic ones take.
    @Test func framesAreTakenInOrderWithinTheLimits() async {
        let queue = IngestQueue<Frame>(capacityBytes: 1000, capacityItems: 100)
        for offset in 0..<5 {
            let frame = Frame(
                feed: "aodb", position: .stream(peer: "10.0.0.1:4000", connection: 1, offset: Int64(offset)),
                bytes: Array("line \(offset)".utf8), receivedAtMilliseconds: 0)
            await queue.push(frame, weight: 10)
        }
        #expect(queue.takeAvailableFrames(maxItems: 2).map(\.position.description) == ["10.0.0.1:4000#1@0", "10.0.0.1:4000#1@1"])
        #expect(queue.takeAvailableFrames(maxItems: 10, maxBytes: 15).map(\.bytes) == [Array("line 2".utf8)])
        #expect(await queue.takeFrames(maxItems: 10).map(\.bytes) == [Array("line 3".utf8), Array("line 4".utf8)])
        #expect(queue.takeAvailableFrames(maxItems: 10).isEmpty)
    }

    @Test func aFullQueueMakesProducersWaitUntilTheConsumerTakes() async throws {
        let queue = IngestQueue<Int>(capacityBytes: 1_000_000, capacityItems: 3)
        let producer = Task {
            for value in 1...10 { await queue.push(value, weight: 1) }
        }
        try await Task.sleep(for: .milliseconds(100))
        // The producer is blocked: only the capacity was accepted.
        #expect(queue.count == 3)
        var received: [Int] = []
        while received.count < 10 {
            received += await queue.takeBatch(maxItems: 2)
        }
        await producer.value
        #expect(received == Array(1...10))
    }

    @Test func byteCapacityBoundsMemoryButAlwaysAdmitsOneItem() async throws {
        let queue = IngestQueue<String>(capacityBytes: 100, capacityItems: 1000)
        await queue.push("huge", weight: 10_000)  // admitted: the queue was empty
        let second = Task { await queue.push("next", weight: 10) }
        try await Task.sleep(for: .milliseconds(50))
        #expect(queue.count == 1)
        #expect(await queue.takeBatch(maxItems: 10) == ["huge"])
        #expect(await second.value)
        #expect(await queue.takeBatch(maxItems: 10) == ["next"])
    }

    @Test func finishReleasesWaitingProducersAndDrains() async throws {
        let queue = IngestQueue<Int>(capacityBytes: 1000, capacityItems: 1)
        await queue.push(1, weight: 1)
        let blocked = Task { await queue.push(2, weight: 1) }
        try await Task.sleep(for: .milliseconds(50))
        queue.finish()
        #expect(await blocked.value == false)
        #expect(await queue.takeBatch(maxItems: 10) == [1])
        #expect(await queue.takeBatch(maxItems: 10) == [])
    }

    @Test func cancellingAWaitingProducerReturnsFalse() async throws {
        let queue = IngestQueue<Int>(capacityBytes: 1000, capacityItems: 1)
        await queue.push(1, weight: 1)
        let blocked = Task { await queue.push(2, weight: 1) }
        try await Task.sleep(for: .milliseconds(50))
        blocked.cancel()
        #expect(await blocked.value == false)
        #expect(queue.count == 1)
    }
}
