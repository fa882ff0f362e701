import AirportSimulator
import FlightEdgeTestSupport
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A simulated day of a large hub fed to FlightEdge as fast as possible; the clock runs from
/// the first byte to the last update committed with all its events and state acknowledged.
enum EndToEnd {
    struct Result {
        var transport: String
        var updates: Int
        var seconds: Double
        var events: Double
        var peakRSSMegabytes: Double
        var cpuSeconds: Double
        /// Committed batches, their mean size in frames and mean commit time in ms.
        var batches: Double
        var meanBatchFrames: Double
        var meanCommitMilliseconds: Double
        /// Messages the daemon published (state, events, status).
        var published: Double
        /// PostgreSQL's and mosquitto's CPU over the same span.
        var services = ServiceCPU(postgres: 0, mosquitto: 0)
        var updatesPerSecond: Double { Double(updates) / seconds }

        init(transport: String, updates: Int, seconds: Double, samples: [String: Double], peakRSSMegabytes: Double, cpuSeconds: Double) {
            self.transport = transport
            self.updates = updates
            self.seconds = seconds
            self.events = samples["flightedge_events_derived_total"] ?? 0
            self.peakRSSMegabytes = peakRSSMegabytes
            self.cpuSeconds = cpuSeconds
            batches = samples["flightedge_batch_frames_count"] ?? 0
            meanBatchFrames = (samples["flightedge_batch_frames_sum"] ?? 0) / max(1, batches)
            meanCommitMilliseconds = 1000 * (samples["flightedge_commit_seconds_sum"] ?? 0) / max(1, samples["flightedge_commit_seconds_count"] ?? 0)
            published = samples["flightedge_messages_published_total"] ?? 0
        }
    }

    /// The day as JSON lines.
    static func day(flights: Int) -> [String] {
        AirportDay(airport: "BEN", flights: flights, seed: 11, dayStart: BenchDay.start).messages().map(\.json)
    }

    static func overTCP(_ environment: BenchEnvironment, lines: [String], stateQoS: Int) throws -> Result {
        let daemon = try DaemonProcess.benchmark(
            environment, databaseURL: try environment.freshDatabase("fe_bench_tcp"), stateQoS: stateQoS, name: "tcp")
        try daemon.start(waitingFor: .healthy)
        defer { daemon.stop() }
        return try feed(daemon, lines: lines)
    }

    /// Sends the day to a started daemon's tcp-listen feed in one stream and waits until it is
    /// all committed and acknowledged.
    static func feed(_ daemon: DaemonProcess, lines: [String]) throws -> Result {
        let bytes = Array((lines.joined(separator: "\n") + "\n").utf8)
        let callgrind = Callgrind(daemon)
        try callgrind?.zero()
        let cpuBefore = daemon.cpuSeconds
        let servicesBefore = ServiceCPU.now(scratch: daemon.folder.deletingLastPathComponent().deletingLastPathComponent())
        let started = now()
        let feed = try daemon.connectFeed()
        try Loopback.writeAll(feed, bytes)
        close(feed)
        let finished = try daemon.waitUntilDone(frames: lines.count)
        var result = Result(
            transport: "tcp-listen", updates: lines.count, seconds: finished - started, samples: try daemon.metrics().values,
            peakRSSMegabytes: daemon.peakResidentMegabytes, cpuSeconds: daemon.cpuSeconds - cpuBefore)
        result.services = ServiceCPU.now(scratch: daemon.folder.deletingLastPathComponent().deletingLastPathComponent()) - servicesBefore
        try callgrind?.dump()
        return result
    }

    /// The day cut into files of `linesPerFile`, written aside and renamed into the spool folder
    /// at once (as an AODB export would drop them).
    static func overSpool(_ environment: BenchEnvironment, lines: [String], stateQoS: Int, linesPerFile: Int = 2000) throws -> Result {
        let daemon = try DaemonProcess.benchmark(
            environment, databaseURL: try environment.freshDatabase("fe_bench_spool"), stateQoS: stateQoS, name: "spool")
        try daemon.start(waitingFor: .healthy)
        defer { daemon.stop() }
        let staging = daemon.folder.appendingPathComponent("staging")
        try FileManager.default.createDirectory(at: staging, withIntermediateDirectories: true)
        var names: [String] = []
        var index = 0
        while index < lines.count {
            let name = String(format: "day-%05d.jsonl", names.count)
            let chunk = lines[index..<min(index + linesPerFile, lines.count)].joined(separator: "\n") + "\n"
            try chunk.write(to: staging.appendingPathComponent(name), atomically: false, encoding: .utf8)
            names.append(name)
            index += linesPerFile
        }
        let spool = daemon.folder.appendingPathComponent("spool")
        let cpuBefore = daemon.cpuSeconds
        let servicesBefore = ServiceCPU.now(scratch: environment.scratch)
        let started = now()
        for name in names {
            try FileManager.default.moveItem(at: staging.appendingPathComponent(name), to: spool.appendingPathComponent(name))
        }
        let finished = try daemon.waitUntilDone(frames: lines.count)
        var result = Result(
            transport: "spool-dir", updates: lines.count, seconds: finished - started, samples: try daemon.metrics().values,
            peakRSSMegabytes: daemon.peakResidentMegabytes, cpuSeconds: daemon.cpuSeconds - cpuBefore)
        result.services = ServiceCPU.now(scratch: environment.scratch) - servicesBefore
        return result
    }
}
