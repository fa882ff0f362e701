import FeedIngest
import Testing

/// Issue 18, item 3: a batch is bounded by bytes as well as by count, so near-limit frames
/// cannot make one batch hold gigabytes; a frame larger than the bound still goes alone.
@Suite struct IngestQueueByteBatchTests {
    @Test func aBatchStopsAtItsByteBoundButAlwaysTakesOne() async {
        let queue = IngestQueue<Int>(capacityBytes: 100_000_000, capacityItems: 100)
        for value in 1...10 { await queue.push(value, weight: 1_000_000) }
        #expect(queue.takeAvailable(maxItems: 100, maxBytes: 3_500_000) == [1, 2, 3])
        #expect(await queue.takeBatch(maxItems: 100, maxBytes: 10) == [4], "one frame over the bound goes alone")
        #expect(queue.takeAvailable(maxItems: 2, maxBytes: .max) == [5, 6], "the count still bounds")
        #expect(queue.queuedBytes == 4_000_000)
    }
}
