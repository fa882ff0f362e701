import Foundation

/// The central RabbitMQ cluster that `scripts/test` starts once per run (`scripts/central start
/// --nodes 3`), found through the variables of `scripts/central env`. A missing variable is an
/// error that says how to start it: nothing is skipped.
public enum CentralCluster {
    /// The relay user's URLs, one per node, in node order.
    public static var amqpURLs: [String] { get throws(TestSupportError) { try list("FLIGHTEDGE_CENTRAL_AMQP_URLS") } }
    public static var amqpPorts: [Int] { get throws(TestSupportError) { try numbers("FLIGHTEDGE_CENTRAL_AMQP_PORTS") } }
    public static var mqttPorts: [Int] { get throws(TestSupportError) { try numbers("FLIGHTEDGE_CENTRAL_MQTT_PORTS") } }
    public static var vhost: String { get throws(TestSupportError) { try environment("FLIGHTEDGE_CENTRAL_VHOST") } }
    /// The relay's quorum queue, bound to `flightedge.*.events.#`.
    public static var queue: String { get throws(TestSupportError) { try environment("FLIGHTEDGE_CENTRAL_QUEUE") } }
    /// The relay user's password.
    public static var relayPassword: String {
        get throws { try read(try environment("FLIGHTEDGE_CENTRAL_RELAY_PASSWORD_FILE")) }
    }

    /// `amqp://user:password@127.0.0.1:port/vhost` of each node, for another user.
    public static func amqpURLs(user: String, password: String) throws(TestSupportError) -> [String] {
        let vhost = try vhost
        return try amqpPorts.map { "amqp://\(user):\(password)@127.0.0.1:\($0)/\(vhost)" }
    }

    /// Creates (or keeps) the airport's central user and returns its mosquitto bridge section.
    public static func addAirport(_ iata: String) throws -> String {
        try run(["add-airport", iata])
    }

    /// The password of the airport's central user (`<iata>-bridge`), after ``addAirport(_:)``.
    public static func airportPassword(_ iata: String) throws -> String {
        try read("\(try environment("FLIGHTEDGE_CENTRAL_DIR"))/airports/\(iata.uppercased()).password")
    }

    /// The pid of each node that is up, by node number (`scripts/central status`).
    public static func runningNodes() throws -> [Int: Int32] {
        var nodes: [Int: Int32] = [:]
        for line in try run(["status"]).split(separator: "\n") {
            // node N: up pid PID mqtt PORT amqp PORT
            let words = line.split(separator: " ")
            guard words.count >= 5, words[2] == "up", let node = Int(words[1].dropLast()), let pid = Int32(words[4]) else { continue }
            nodes[node] = pid
        }
        return nodes
    }

    /// `kill -9` of node `node`: the machine is gone, nothing is flushed or handed over.
    public static func killNode(_ node: Int) throws {
        guard let pid = try runningNodes()[node] else {
            throw TestSupportError(.commandFailed, "central node \(node) is not running (scripts/central status)")
        }
        kill(pid, SIGKILL)
    }

    /// Starts the nodes that are down (`scripts/central start` is idempotent) and waits for them.
    public static func startDownNodes() throws {
        _ = try run(["start"])
    }

    /// Runs `scripts/central` with `arguments` and returns its standard output.
    @discardableResult
    public static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try environment("FLIGHTEDGE_CENTRAL_SCRIPT"))
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        // Read before waiting: a full pipe would block the script.
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let problems = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        // waitpid, not waitUntilExit: Foundation's wait can miss the exit of a script whose
        // children (the nodes) live on, and hang.
        var status: Int32 = 0
        let reaped = waitpid(process.processIdentifier, &status, 0)
        if reaped != process.processIdentifier {
            // Foundation reaped it first: its status arrives shortly.
            let deadline = Date().addingTimeInterval(120)
            while process.isRunning && Date() < deadline { usleep(10_000) }
        }
        let exitCode = reaped == process.processIdentifier ? (status >> 8) & 0xff : (process.isRunning ? -1 : process.terminationStatus)
        guard exitCode == 0 else {
            throw TestSupportError(
                .commandFailed, "scripts/central \(arguments.joined(separator: " ")) exited \(exitCode): \(problems)")
        }
        return text
    }

    static func environment(_ name: String) throws(TestSupportError) -> String {
        guard let value = ProcessInfo.processInfo.environment[name], !value.isEmpty else {
            throw TestSupportError(
                .serviceNotConfigured,
                "\(name) is not set: run scripts/test, or scripts/central start --nodes 3 and eval \"$(scripts/central env)\"")
        }
        return value
    }

    private static func list(_ name: String) throws(TestSupportError) -> [String] {
        try environment(name).split(separator: ",").map(String.init)
    }

    private static func numbers(_ name: String) throws(TestSupportError) -> [Int] {
        let items = try list(name)
        let values = items.compactMap { Int($0) }
        guard values.count == items.count else {
            throw TestSupportError(.serviceNotConfigured, "\(name) is not a comma-separated list of ports")
        }
        return values
    }

    private static func read(_ path: String) throws -> String {
        try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
