import CoreMetrics

/// A Prometheus counter that follows a running total kept elsewhere (a feed's counters, the
/// pipeline's progress): each scrape adds what the total grew by since the one before.
///
/// A total that went down was started again (a feed that a reload made anew): the counter is
/// reset and starts from it, which Prometheus reads as a counter reset, as before.
struct FollowedTotal: Sendable {
    let counter: CoreMetrics.Counter
    private(set) var last: Int64 = 0

    init(_ counter: CoreMetrics.Counter) {
        self.counter = counter
    }

    mutating func follow(_ total: Int64) {
        if total >= last {
            counter.increment(by: total - last)
        } else {
            counter.reset()
            counter.increment(by: max(0, total))
        }
        last = max(0, total)
    }
}
