import Foundation

/// What the central tests and `flightedge-central-bench` build alike: relays on the central
/// queue, airport codes of a run's own, a simulated day fed into a gateway, databases.
public enum CentralSetup {
    /// Airport codes of this run (the shared queue may still hold an earlier run's events).
    public static func airportCodes(_ count: Int, prefix: Character = "Q") -> [String] {
        let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
        var codes: Set<String> = []
        while codes.count < count { codes.insert(String(prefix) + String((0..<2).map { _ in letters.randomElement()! })) }
        return codes.sorted()
    }

    /// Today in UTC, `yyyy-MM-dd`.
    public static func today() -> String {
        let formatter = DateFormatter()
        formatter.dateFormat = "yyyy-MM-dd"
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.locale = Locale(identifier: "en_US_POSIX")
        return formatter.string(from: Date())
    }

    /// A relay on the central queue: ``RelayProcess``'s configuration with its `[source]` made
    /// the `amqp` one of `scripts/central env`, and `extra` TOML appended.
    public static func relay(
        databaseURL: String, smtp: SMTPStandin?, extra: String, binary: URL = RelayProcess.binaryUnderTest
    ) throws -> RelayProcess {
        let relay = try RelayProcess(databaseURL: databaseURL, smtp: smtp, extra: extra, binary: binary)
        var config = try String(contentsOfFile: relay.configPath, encoding: .utf8)
        guard let from = config.range(of: "[source]\n"), let to = config.range(of: "\n[http]", range: from.upperBound..<config.endIndex)
        else { throw TestSupportError(.commandFailed, "RelayProcess wrote no [source] table") }
        config.replaceSubrange(
            from.upperBound..<to.lowerBound,
            with: """
                kind = "amqp"
                url = "\(try CentralCluster.amqpURLs.joined(separator: ","))"
                username = "relay"
                password_file = "\(try CentralCluster.environment("FLIGHTEDGE_CENTRAL_RELAY_PASSWORD_FILE"))"
                queue = "\(try CentralCluster.queue)"

                """)
        try config.write(toFile: relay.configPath, atomically: true, encoding: .utf8)
        return relay
    }

    /// `flightedge simulate` of `flights` flights, from 05:00: into a gateway's feed at `speed`
    /// times real time (0: as fast as it goes), or to standard output when `port` is nil.
    public static func simulate(
        airport: String, flights: Int, seed: UInt64, date: String, speed: Double = 0, to port: Int? = nil,
        binary: URL = DaemonProcess.binaryUnderTest
    ) throws -> (process: Process, output: Pipe?) {
        let process = Process()
        process.executableURL = binary
        process.arguments = [
            "simulate", "--flights", "\(flights)", "--airport", airport, "--seed", "\(seed)", "--date", date, "--start", "05:00",
            "--speed", "\(speed)",
        ] + (port.map { ["--to", "127.0.0.1:\($0)"] } ?? [])
        let output = port == nil ? Pipe() : nil
        process.standardOutput = output ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return (process, output)
    }

    /// The departures (airline, number) of a simulated day, in feed order, each once.
    public static func departures(airport: String, flights: Int, seed: UInt64, date: String) throws -> [(airline: String, number: String)] {
        let (process, output) = try simulate(airport: airport, flights: flights, seed: seed, date: date)
        let data = output?.fileHandleForReading.readDataToEndOfFile() ?? Data()
        process.waitUntilExit()
        var seen: Set<String> = []
        var result: [(airline: String, number: String)] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                object["direction"] as? String == "departure", let airline = object["airline"] as? String,
                let number = object["number"] as? String, seen.insert(airline + number).inserted
            else { continue }
            result.append((airline, number))
        }
        return result
    }

    /// `count` empty databases for `body`, dropped afterwards.
    public static func withDatabases<Result>(_ count: Int, _ body: ([String]) async throws -> Result) async throws -> Result {
        guard count > 0 else { return try await body([]) }
        return try await TestServices.withTemporaryDatabase { url in
            try await withDatabases(count - 1) { rest in try await body([url] + rest) }
        }
    }
}
