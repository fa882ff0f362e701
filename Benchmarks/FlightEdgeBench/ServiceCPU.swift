import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// CPU seconds PostgreSQL and mosquitto have used so far, read from `/proc`: the share of each
/// process in an update's cost. PostgreSQL's is the postmaster's, its live children's (the
/// daemon's backend, the WAL writer, the checkpointer) and that of the children that exited.
/// Services shared with other work count that work too: run the benchmark on services of its
/// own (`FLIGHTEDGE_SCRATCH` and the port variables, docs/PERFORMANCE.md).
struct ServiceCPU {
    var postgres: Double
    var mosquitto: Double

    static func now(scratch: URL) -> ServiceCPU {
        let postmaster = firstNumber(scratch.appendingPathComponent("postgres/data/postmaster.pid"))
        let broker = firstNumber(scratch.appendingPathComponent("mosquitto/mosquitto.pid"))
        var postgres = 0.0
        if let postmaster {
            postgres = seconds(postmaster, includingExitedChildren: true)
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
            for case let pid? in entries.map({ Int32($0) }) where parent(of: pid) == postmaster {
                postgres += seconds(pid, includingExitedChildren: false)
            }
        }
        return ServiceCPU(postgres: postgres, mosquitto: broker.map { seconds($0, includingExitedChildren: false) } ?? 0)
    }

    static func - (after: ServiceCPU, before: ServiceCPU) -> ServiceCPU {
        ServiceCPU(postgres: after.postgres - before.postgres, mosquitto: after.mosquitto - before.mosquitto)
    }

    /// The fields of `/proc/PID/stat` after the command name (field 3 on).
    private static func fields(_ pid: Int32) -> [Substring] {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")")
        else { return [] }
        return stat[stat.index(after: close)...].split(separator: " ")
    }

    private static func parent(of pid: Int32) -> Int32? {
        let fields = fields(pid)
        return fields.count > 1 ? Int32(fields[1]) : nil
    }

    /// utime + stime (fields 14, 15), and cutime + cstime (16, 17) when asked.
    private static func seconds(_ pid: Int32, includingExitedChildren: Bool) -> Double {
        let fields = fields(pid)
        guard fields.count > 14 else { return 0 }
        let indices = includingExitedChildren ? 11...14 : 11...12
        let ticks = indices.compactMap { Double(fields[$0]) }.reduce(0, +)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func firstNumber(_ file: URL) -> Int32? {
        guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
        return text.split(whereSeparator: \.isNewline).first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }
}
