import AirportSimulator
import FeedIngest
import Foundation

extension BenchCommand {
    /// `--only aidx-day,mvt-day`: the simulated day as AIDX or MVT over tcp-listen (stx-etx),
    /// the decoder on one core and on all, and where the daemon's CPU goes. Each figure says
    /// the load it was measured under (the machine is shared).
    func formatDayFigures(_ environment: BenchEnvironment, parts: Set<String>, publishRate: Double?, into table: inout Table) async throws {
        for format in [SimulatedFormat.aidx, .mvt] where parts.contains("\(format)-day") {
            let result = try await FormatDay.run(environment, format: format, flights: formatFlights, stateQoS: stateQos)
            let name = "\(format) day (\(formatFlights) flights): \(result.messages) messages of \(result.meanBytes) B"
            let load = "load \(String(format: "%.2f", FormatDay.loadAverage()))"
            table.add("\(name): decode, one core", result.serialRate, "msgs/s")
            table.add(
                "  \(format): decode, \(FormatDay.processorCount) cores (OrderedDecoder, 64 KB reads)", result.parallelRate, "msgs/s",
                ratio: result.parallelRate / result.serialRate, ratioName: "of one core")
            table.add("  \(format): cores the parallel decode obtained (CPU time / wall time)", result.parallelCores, "cores")
            table.add(
                "  \(format): end to end over tcp-listen, stx-etx (\(load))", result.messagesPerSecond, "msgs/s",
                ratio: result.messagesPerSecond / result.serialRate, ratioName: "of one-core decode")
            if let publishRate {
                table.add("  \(format): end to end / raw publish", result.messagesPerSecond / publishRate, "×")
            }
            let perMessage = { (seconds: Double) in 1e6 * seconds / Double(result.messages) }
            table.add("  \(format): CPU per message: daemon", perMessage(result.cpuSeconds), "µs")
            table.add("  \(format): CPU per message: daemon decode (one-core cost)", perMessage(result.decodeCPUSeconds), "µs")
            table.add("  \(format): CPU per message: daemon rest", perMessage(result.cpuSeconds - result.decodeCPUSeconds), "µs")
            table.add("  \(format): CPU per message: PostgreSQL", perMessage(result.services.postgres), "µs")
            table.add("  \(format): CPU per message: mosquitto", perMessage(result.services.mosquitto), "µs")
            table.add("  \(format): daemon peak RSS", result.peakRSSMegabytes, "MB")
        }
    }
}

extension FormatDay {
    static var processorCount: Int { OrderedDecoder.processorCount }

    /// The 1-minute load average now.
    static func loadAverage() -> Double {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? ""
        return text.split(separator: " ").first.flatMap { Double($0) } ?? .nan
    }
}
