import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// What Linux's `/proc` says about a running process; 0 when it has gone.
public enum ProcessStatistics {
    /// Resident memory now (VmRSS), in MB.
    public static func residentMegabytes(_ pid: Int32) -> Double { statusKilobytes(pid, "VmRSS:") / 1024 }

    /// The highest resident memory so far (VmHWM), in MB.
    public static func peakResidentMegabytes(_ pid: Int32) -> Double { statusKilobytes(pid, "VmHWM:") / 1024 }

    /// User + system CPU seconds so far.
    public static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3; utime and stime are fields 14 and 15.
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    private static func statusKilobytes(_ pid: Int32, _ key: String) -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix(key) } ?? ""
        return line.split(separator: " ").compactMap { Double($0) }.first ?? 0
    }
}
