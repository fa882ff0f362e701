import FeedIngest

/// Which spool files are finished: a file is done once the commit covering its last frame is
/// in, and goes to `rejected/` instead of `done/` when not one of its frames could be used.
/// Its frames may be spread over several batches. Pure: the caller moves the files.
struct SpoolBookkeeping: Sendable {
    /// Frames and rejections per file whose last frame is not committed yet.
    private var open: [String: (frames: Int, rejected: Int)] = [:]

    /// Files being counted (their last frame not committed yet).
    var openFiles: Int { open.count }

    /// Counts a committed batch's spool-file frames and returns the files it finished, each
    /// with whether every one of its frames was rejected.
    mutating func committed(
        _ frames: [(completion: FileCompletion, rejected: Bool)]
    ) -> [(completion: FileCompletion, rejectedAll: Bool)] {
        var finished: [(completion: FileCompletion, rejectedAll: Bool)] = []
        for (completion, rejected) in frames {
            var stats = open[completion.name] ?? (0, 0)
            stats.frames += 1
            if rejected { stats.rejected += 1 }
            if completion.isLast {
                open.removeValue(forKey: completion.name)
                finished.append((completion, stats.rejected == stats.frames))
            } else {
                open[completion.name] = stats
            }
        }
        return finished
    }
}
