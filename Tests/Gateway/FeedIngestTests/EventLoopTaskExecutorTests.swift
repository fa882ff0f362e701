import FeedIngest
import NIOCore
import NIOPosix
import Testing

@Suite struct EventLoopTaskExecutorTests {
    /// A task preferring the executor runs on the loop's thread, and comes back to it after a
    /// suspension that another thread ends.
    @Test func aTaskPreferringTheLoopRunsOnItAndResumesThere() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let seen = await Task(executorPreference: executor) { () -> (before: Bool, after: Bool) in
            let before = loop.inEventLoop
            // Resumed from a thread of the shared pool.
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                Task.detached { continuation.resume() }
            }
            return (before, loop.inEventLoop)
        }.value
        #expect(seen.before)
        #expect(seen.after)
        #expect(!loop.inEventLoop)
        try await group.shutdownGracefully()
    }
}
