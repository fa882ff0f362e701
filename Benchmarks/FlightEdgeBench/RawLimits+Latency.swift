import Foundation
import Postgres
import Timing

#if canImport(Glibc)
import Glibc
#endif

/// The floor under the latency targets: what a durable write costs on this machine at the
/// latency run's rate, with nothing of FlightEdge in between. Every update the daemon takes
/// waits for one WAL flush (its batch's commit), so a flush that stalls delays every update
/// that arrives meanwhile; these probes measure those stalls the same way, open loop.
extension RawLimits {
    /// One-row `INSERT` transactions (`synchronous_commit` on, prepared) on one connection,
    /// one due every `1/rate` s for `seconds`, each timed from when it was due (a slow commit
    /// delays the ones behind it, as a slow batch delays the frames behind it).
    static func commitLatency(_ environment: BenchEnvironment, rate: Int, seconds: Int) throws -> Latency.Percentiles {
        let connection = try PostgresConnection(
            conninfo: try environment.freshDatabase("fe_bench_raw_commit"), applicationName: "flightedge-bench")
        try connection.execute("SET synchronous_commit = on")
        try connection.execute("CREATE TABLE commits (id bigint PRIMARY KEY, at timestamptz NOT NULL, remark text NOT NULL)")
        return try openLoop(rate: rate, seconds: seconds) { index in
            _ = try connection.query(
                "INSERT INTO commits VALUES ($1, now(), $2)", [.int(index), .text("remark \(index)")], prepared: true)
        }
    }

    /// The disk alone: a 512-byte write and `fdatasync` of a file in the scratch folder (on the
    /// disk PostgreSQL's WAL is on here), on the same schedule.
    static func flushLatency(_ environment: BenchEnvironment, rate: Int, seconds: Int) throws -> Latency.Percentiles {
        let path = environment.scratch.appendingPathComponent("bench-flush-probe").path
        let file = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard file >= 0 else { throw BenchError("cannot create \(path): errno \(errno)") }
        defer {
            close(file)
            unlink(path)
        }
        // Written and flushed whole first, as PostgreSQL zero-fills a WAL segment: the probe's
        // flushes then overwrite allocated blocks and carry no file-size change.
        let segment = 16 << 20
        let zeros = [UInt8](repeating: 0, count: 1 << 20)
        for offset in stride(from: 0, to: segment, by: zeros.count) {
            guard pwrite(file, zeros, zeros.count, off_t(offset)) == zeros.count else { throw BenchError("cannot write \(path)") }
        }
        guard fsync(file) == 0 else { throw BenchError("cannot fsync \(path): errno \(errno)") }
        let record = [UInt8](repeating: 0x78, count: 512)
        return try openLoop(rate: rate, seconds: seconds) { index in
            let offset = off_t(Int(index) * record.count % segment)
            guard pwrite(file, record, record.count, offset) == record.count, fdatasync(file) == 0 else {
                throw BenchError("cannot write and flush \(path): errno \(errno)")
            }
        }
    }

    /// Runs `operation` once every `1/rate` s for `seconds` and returns its latencies from each
    /// due time, in milliseconds.
    private static func openLoop(rate: Int, seconds: Int, _ operation: (Int64) throws -> Void) throws -> Latency.Percentiles {
        let count = rate * seconds
        var latencies = [Double](repeating: 0, count: count)
        let interval = 1_000_000_000 / UInt64(rate)
        let start = monotonicNanoseconds()
        for index in 0..<count {
            let due = start + UInt64(index) * interval
            Latency.waitUntil(due)
            try operation(Int64(index))
            latencies[index] = Double(monotonicNanoseconds() - due) / 1e6
        }
        return Latency.Percentiles(sorted: latencies.sorted())
    }
}
