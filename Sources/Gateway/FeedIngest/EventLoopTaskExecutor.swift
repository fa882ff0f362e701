import NIOCore

/// A task executor that runs a task's jobs on one NIO event loop.
///
/// The daemon's hand-offs between threads cost it more than the work handed off
/// (docs/PERFORMANCE.md, fourteenth round): a task preferring the loop whose events it waits
/// for (a feed connection's reads, the broker's PUBACKs, the writer's commits) resumes on that
/// loop's thread, and a job queued from the loop itself is only queued, not a wake-up.
public final class EventLoopTaskExecutor: TaskExecutor {
    /// The loop the jobs run on.
    public let loop: any EventLoop

    public init(_ loop: any EventLoop) {
        self.loop = loop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}
