#if canImport(Glibc)
import Glibc
#endif

/// How many connections the operations endpoint may hold so that the pipeline always has
/// descriptors left (issue 18: at the descriptor limit `/healthz` timed out, spool reads failed
/// and the accept loop spun). The soft `RLIMIT_NOFILE` is raised to the hard limit first (at
/// most 65,536); then `reserved` descriptors (database, broker, files, the feeds' connection
/// slots) stay out of the endpoint's reach.
enum DescriptorBudget {
    /// Descriptors kept for everything but the feeds' connections and the HTTP endpoint.
    static let pipelineReserve = 256
    /// Connections the endpoint takes at most, however many descriptors there are: 500 board
    /// screens and the monitoring with room to spare.
    static let httpCeiling = 1_024

    /// Raises the soft descriptor limit as far as allowed; returns the limit now in force.
    static func raiseLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        let wanted = min(limit.rlim_max, 65_536)
        if limit.rlim_cur < wanted {
            var raised = limit
            raised.rlim_cur = wanted
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return Int(min(limit.rlim_cur, 1 << 30))
    }

    /// The endpoint's connection cap with `descriptorLimit` descriptors of which the feeds may
    /// hold `feedSlots`: never under 16, never over ``httpCeiling``.
    static func httpConnections(descriptorLimit: Int, feedSlots: Int) -> Int {
        max(16, min(httpCeiling, descriptorLimit - pipelineReserve - feedSlots))
    }
}
