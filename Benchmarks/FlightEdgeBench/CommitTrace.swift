import FlightEdgeTestSupport
import Foundation

/// The daemon's committed frames over time (`flightedge_frames_committed_total`, read from
/// `/metrics` every 20 ms on a thread of its own), so that the pipeline's rate can be read
/// over any part of a run: the seconds a retention round ran, and the same seconds of a run
/// without one.
final class CommitTrace: @unchecked Sendable {
    private let lock = NSLock()
    private var samples: [(time: Double, frames: Double)] = []
    private var stopped = false
    private let done = DispatchSemaphore(value: 0)

    init(httpPort: Int) {
        Thread.detachNewThread { [self] in
            defer { done.signal() }
            while !lock.withLock({ stopped }) {
                if let body = try? Loopback.get("/metrics", port: httpPort).body,
                    let frames = MetricSamples(prometheusText: body)["flightedge_frames_committed_total"]
                {
                    let time = now()
                    lock.withLock { samples.append((time, frames)) }
                }
                usleep(20_000)
            }
        }
    }

    func stop() {
        lock.withLock { stopped = true }
        done.wait()
    }

    /// Frames committed per second from `start` to `end` (monotonic), between the samples
    /// nearest to each.
    func rate(from start: Double, to end: Double) -> Double {
        lock.withLock {
            func nearest(_ time: Double) -> (time: Double, frames: Double)? {
                samples.min { abs($0.time - time) < abs($1.time - time) }
            }
            guard let first = nearest(start), let last = nearest(end), last.time > first.time else { return .nan }
            return (last.frames - first.frames) / (last.time - first.time)
        }
    }
}
