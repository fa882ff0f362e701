import ArgumentParser
import Configuration
import FlightModel
import Foundation
import MQTT

/// `flightedge watch`: a live, readable view of the events a gateway publishes, as a display
/// board or the relay receives them.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print the events a gateway publishes, one readable line each, until Ctrl-C.",
        discussion: """
            Subscribes as the broker user `board` by default: the shipped ACL lets the daemon's own user publish \
            events but not read them. The board's password is read from board.password in the folder of \
            mqtt.password_file (or --password-file). Connection state goes to stderr; a broker that refuses the \
            user, or that cannot be reached within --connect-timeout, ends the watch with exit 2. A closed pipe \
            (watch | head) ends it quietly with exit 0.
            """
    )

    @OptionGroup var config: ConfigOption

    @Option(help: "Broker user to subscribe as; it must be allowed to read the events (default: board).")
    var username = "board"

    @Option(help: "File holding that user's password (default: <user>.password next to mqtt.password_file).")
    var passwordFile: String?

    @Option(help: "Seconds to wait for the first connection to the broker.")
    var connectTimeout = 10

    @Flag(help: "Also print retained flight state updates.")
    var state = false

    func validate() throws {
        guard connectTimeout > 0 else { throw ValidationError("--connect-timeout must be 1 second or more") }
    }

    func run() async throws {
        let loaded = try config.load()
        StandardOutput.ignoreBrokenPipe()
        let password = try readPassword(loaded)
        let root = "\(loaded.mqtt.topicPrefix)/\(loaded.airport.iata)"
        let broker = "\(loaded.mqtt.host):\(loaded.mqtt.port)"
        if username == loaded.mqtt.username {
            StandardOutput.note(
                "watch: warning: \(username) is the daemon's own user; the shipped ACL (conf/mosquitto/flightedge.acl) "
                    + "lets it publish events but not read them, so this watch may show nothing (the default user board may read)")
        }
        let session = WatchSession(
            host: loaded.mqtt.host, port: loaded.mqtt.port, caFile: loaded.mqtt.caFile, username: username,
            password: password, root: root, includeState: state, connectTimeout: .seconds(connectTimeout))
        let lines = LiveEventLine(
            root: root, zone: loaded.airport.zone, delayThresholdMinutes: loaded.events.delayThresholdMinutes)
        StandardOutput.note("watch: connecting to \(broker) as \(username)…")
        var lastStatus: String?
        do {
            try await session.run { report in
                // Written at once, not buffered: the view is live even through a pipe.
                switch report {
                case .connected(let again):
                    StandardOutput.note(again ? "watch: reconnected to \(broker)" : "watch: connected; watching \(root)/events")
                    if !again { try StandardOutput.write("watching \(root) on \(broker)\n\(lines.header)\n") }
                case .lost(let reason):
                    StandardOutput.note("watch: connection to \(broker) lost (\(reason)); reconnecting…")
                case .message(let message):
                    if let status = lines.statusIdentity(topic: message.topic, payload: message.payload) {
                        guard status != lastStatus else { return }
                        lastStatus = status
                    }
                    if let line = lines.describe(topic: message.topic, payload: message.payload) {
                        try StandardOutput.write(line + "\n")
                    }
                }
            }
        } catch let failure as WatchSession.Failure {
            StandardOutput.note("flightedge watch: \(failure)")
            throw ExitCode(2)
        }
    }

    /// The password of ``username``: --password-file, else `<user>.password` next to the daemon's
    /// password file (the daemon's own file for its own user), else the systemd credential.
    private func readPassword(_ loaded: GatewayConfig) throws -> String? {
        var path = passwordFile
        if path == nil, let daemonFile = loaded.mqtt.passwordFile {
            path = username == loaded.mqtt.username
                ? daemonFile
                : URL(fileURLWithPath: daemonFile).deletingLastPathComponent().appendingPathComponent("\(username).password").relativePath
        }
        if let path, passwordFile == nil, !FileManager.default.fileExists(atPath: path) {
            StandardOutput.note(
                "flightedge watch: no password for broker user \(username): \(path) does not exist. Give --password-file "
                    + "(or --username and --password-file of a user the broker's ACL lets read events)")
            throw ExitCode(1)
        }
        do {
            return try SecretFile.read(path: path, credential: "mqtt-\(username)-password")
        } catch {
            StandardOutput.note("flightedge watch: \(error)")
            throw ExitCode(1)
        }
    }
}
