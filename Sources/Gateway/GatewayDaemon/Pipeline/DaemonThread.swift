import FeedIngest
import NIOCore
import NIOPosix

/// A thread of the daemon's own, for one part's tasks: the pipeline's (taking frames, merging
/// them, starting each commit), or the publisher's with its broker connection.
///
/// On Swift's shared pool of two threads these parts bounced between the threads: a frame
/// queued, a commit's end, a batch handed on, an actor hop and each read's PUBACKs woke another
/// thread, and the daemon spent a fifth of its CPU switching threads (docs/PERFORMANCE.md,
/// fourteenth round). With a thread each, a part's tasks run one after the other where they
/// are, and only what comes from another part wakes them: at full load the daemon spends
/// 15–20 % less CPU an update than on the pool.
///
/// Nothing may block here: PostgreSQL's blocking calls stay on the writer's own thread.
final class DaemonThread: Sendable {
    private let group: MultiThreadedEventLoopGroup
    /// The task executor to prefer for the part's tasks.
    let executor: EventLoopTaskExecutor
    /// The thread's event loop, for channels whose events the part handles.
    var loop: any EventLoop { executor.loop }

    init() {
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        executor = EventLoopTaskExecutor(group.next())
    }

    deinit {
        group.shutdownGracefully { _ in }
    }
}
