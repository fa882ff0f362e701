import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A release `flightedge run` with its own database, a `tcp-listen` feed, a `spool-dir` feed
/// and the operations endpoint, as the benchmark drives it.
final class DaemonUnderTest {
    let airport = "BEN"
    let feedPort: Int
    let httpPort: Int
    let folder: URL
    let process = Process()
    private let logHandle: FileHandle
    private let binary: URL
    private let configPath: String

    init(environment: BenchEnvironment, databaseURL: String, stateQoS: Int, name: String) throws {
        folder = environment.scratch.appendingPathComponent("bench").appendingPathComponent(name)
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("spool"), withIntermediateDirectories: true)
        feedPort = try Self.freePort()
        httpPort = try Self.freePort()
        let config = """
            [airport]
            iata = "\(airport)"
            timezone = "Europe/Zurich"

            [database]
            url = "\(databaseURL)"

            [mqtt]
            host = "\(environment.mqttHost)"
            port = \(environment.mqttPort)
            client_id = "fe-bench-\(name)-\(getpid())"
            topic_prefix = "flightedge"
            username = "flightedge"
            password_file = "\(environment.mqttPasswordFolder)/flightedge.password"
            state_qos = \(stateQoS)

            [http]
            listen = "127.0.0.1:\(httpPort)"

            [[feeds]]
            name = "aodb"
            format = "jsonl"
            transport = "tcp-listen"
            address = "127.0.0.1:\(feedPort)"
            framing = "lf"

            [[feeds]]
            name = "drop"
            format = "jsonl"
            transport = "spool-dir"
            path = "\(folder.appendingPathComponent("spool").path)"
            framing = "lf"
            """
        let configPath = folder.appendingPathComponent("flightedge.toml").path
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        let logPath = folder.appendingPathComponent("daemon.log").path
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        binary = environment.repository.appendingPathComponent(".build/release/flightedge")
        self.configPath = configPath
        process.executableURL = binary
        process.arguments = ["run", "--config", configPath]
        process.standardError = logHandle
        process.standardOutput = logHandle
        var variables = ProcessInfo.processInfo.environment
        variables["FLIGHTEDGE_LOG_LEVEL"] = "notice"
        process.environment = variables
    }

    /// `flightedge migrate`: the schema, before a benchmark fills the database.
    func migrate() throws {
        let migrate = Process()
        migrate.executableURL = binary
        migrate.arguments = ["migrate", "--config", configPath]
        migrate.standardOutput = logHandle
        migrate.standardError = logHandle
        try migrate.run()
        migrate.waitUntilExit()
        guard migrate.terminationStatus == 0 else { throw BenchError("flightedge migrate failed; see \(folder.path)/daemon.log") }
    }

    /// Starts the daemon; returns the seconds until `/healthz` answered 200.
    @discardableResult
    func start() throws -> Double {
        let started = now()
        try process.run()
        while now() - started < 60 {
            if let (status, _) = try? http("/healthz"), status == 200 { return now() - started }
            guard process.isRunning else { break }
            usleep(2000)
        }
        throw BenchError("the daemon did not become healthy; see \(folder.path)/daemon.log")
    }

    func stop() {
        guard process.isRunning else { return }
        kill(process.processIdentifier, SIGTERM)
        let deadline = now() + 30
        while process.isRunning && now() < deadline { usleep(10_000) }
        if process.isRunning { process.terminate() }
    }

    /// Peak resident memory (VmHWM) in MB.
    var peakRSSMegabytes: Double {
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kilobytes / 1024
        }
        return 0
    }

    /// User + system CPU seconds so far.
    var cpuSeconds: Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(process.processIdentifier)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        // After the command name: state is field 3; utime and stime are fields 14 and 15.
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The `/metrics` samples, `name{labels}` → value.
    func metrics() throws -> [String: Double] {
        let (_, body) = try http("/metrics")
        var samples: [String: Double] = [:]
        for line in body.split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { continue }
            samples[String(line[..<space])] = value
        }
        return samples
    }

    /// Waits until `frames` frames are committed and everything they caused is acknowledged by
    /// the broker; returns the monotonic time it saw that.
    func waitUntilDone(frames: Int, timeout: Double = 600) throws -> Double {
        let deadline = now() + timeout
        while now() < deadline {
            let samples = try metrics()
            if Int(samples["flightedge_frames_committed_total"] ?? 0) >= frames
                && samples["flightedge_publisher_pending_messages"] == 0
            {
                return now()
            }
            usleep(10_000)  // polling /metrics costs the daemon CPU too: 100 Hz, 0.25 % of a 4 s run
        }
        throw BenchError("not done within \(Int(timeout)) s")
    }

    func http(_ path: String) throws -> (Int, String) {
        let reply = String(decoding: try Self.exchange(Array("GET \(path) HTTP/1.0\r\n\r\n".utf8), port: httpPort), as: UTF8.self)
        let parts = reply.components(separatedBy: "\r\n\r\n")
        let status = parts.first?.split(separator: " ").dropFirst().first.flatMap { Int($0) } ?? 0
        return (status, parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// An open TCP connection to the daemon's feed.
    func connectFeed() throws -> Int32 { try Self.connect(port: feedPort) }

    static func connect(port: Int) throws -> Int32 {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            Glibc.close(descriptor)
            throw BenchError("cannot connect to 127.0.0.1:\(port)")
        }
        var one: Int32 = 1
        setsockopt(descriptor, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        return descriptor
    }

    static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            guard written > 0 else { throw BenchError("write to the feed failed") }
            offset += written
        }
    }

    static func exchange(_ bytes: [UInt8], port: Int) throws -> [UInt8] {
        let descriptor = try connect(port: port)
        defer { Glibc.close(descriptor) }
        try writeAll(descriptor, bytes)
        shutdown(descriptor, Int32(SHUT_WR))
        var reply: [UInt8] = []
        var scratch = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = recv(descriptor, &scratch, scratch.count, 0)
            guard count > 0 else { break }
            reply += scratch[0..<count]
        }
        return reply
    }

    static func freePort() throws -> Int {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { Glibc.close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
