public import Telemetry
import Synchronization

/// The counters of a pull feed (`http-poll`, `amqp`, `sql-poll`), beside its ``FeedCounters``:
/// read by `/metrics` and the `feeds/{feed}/status` topic.
public final class PullCounters: Sendable {
    private let polls = Atomic<Int64>(0)
    private let unchanged = Atomic<Int64>(0)
    private let serverWaits = Atomic<Int64>(0)
    private let serverWaitMilliseconds = Atomic<Int64>(0)
    private let failures = Atomic<Int64>(0)
    private let lastSuccess = Atomic<Int64>(0)
    /// Why the last poll failed; nil once one succeeded.
    private let lastFailure = Mutex<String?>(nil)

    public init() {}

    /// A request sent (or a query run).
    public func polled() { polls.add(1, ordering: .relaxed) }
    /// An answer that held nothing new (HTTP 304, a body equal to the last one).
    public func answeredUnchanged() { unchanged.add(1, ordering: .relaxed) }
    /// The server asked us to wait `milliseconds` (Retry-After, AIDX FlightLegRS warnings).
    public func serverImposedWait(milliseconds: Int64) {
        serverWaits.add(1, ordering: .relaxed)
        serverWaitMilliseconds.add(milliseconds, ordering: .relaxed)
    }
    /// A poll that failed (no answer, an error status, a lost broker), and why, for the operator.
    public func failed(_ reason: String) {
        failures.add(1, ordering: .relaxed)
        lastFailure.withLock { $0 = reason }
    }
    /// A poll that got an answer, at `milliseconds` since 1970: the feed is not failing.
    public func succeeded(at milliseconds: Int64) {
        lastSuccess.store(milliseconds, ordering: .relaxed)
        lastFailure.withLock { $0 = nil }
    }

    public var snapshot: Snapshot {
        Snapshot(
            polls: polls.load(ordering: .relaxed), unchanged: unchanged.load(ordering: .relaxed),
            serverWaits: serverWaits.load(ordering: .relaxed),
            serverWaitMilliseconds: serverWaitMilliseconds.load(ordering: .relaxed),
            failures: failures.load(ordering: .relaxed), lastSuccessAtMilliseconds: lastSuccess.load(ordering: .relaxed),
            lastError: lastFailure.withLock { $0 })
    }

    public struct Snapshot: Sendable, Equatable {
        public var polls: Int64 = 0
        public var unchanged: Int64 = 0
        public var serverWaits: Int64 = 0
        public var serverWaitMilliseconds: Int64 = 0
        public var failures: Int64 = 0
        /// 0 before the first success.
        public var lastSuccessAtMilliseconds: Int64 = 0
        /// Why the last poll failed; nil when it succeeded (or none ran yet).
        public var lastError: String? = nil
    }
}

extension PullFigures {
    /// The figures `/metrics` shows of `snapshot`.
    public init(_ snapshot: PullCounters.Snapshot) {
        self.init(
            polls: snapshot.polls, unchanged: snapshot.unchanged, serverWaits: snapshot.serverWaits,
            serverWaitSeconds: Double(snapshot.serverWaitMilliseconds) / 1000, failures: snapshot.failures,
            lastSuccessSeconds: Double(snapshot.lastSuccessAtMilliseconds) / 1000)
    }
}
