import ArgumentParser
import Configuration
import Foundation
import GatewayDaemon

/// `flightedge watch`: a live, readable view of the events a gateway publishes, as a display
/// board or the relay receives them.
struct WatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "watch",
        abstract: "Print the events a gateway publishes, one readable line each, until Ctrl-C."
    )

    @OptionGroup var config: ConfigOption

    @Option(help: "Broker user to subscribe as (default: mqtt.username of the configuration).")
    var username: String?

    @Option(help: "File holding that user's password (default: mqtt.password_file).")
    var passwordFile: String?

    @Flag(help: "Also print retained flight state updates.")
    var state = false

    func run() async throws {
        let loaded = try config.load()
        let watch = EventWatch(
            config: loaded, username: username ?? loaded.mqtt.username,
            password: try SecretFile.read(path: passwordFile ?? loaded.mqtt.passwordFile, credential: "mqtt-password"),
            includeState: state)
        try await watch.run { output in
            // Written at once, not buffered: the view is live even through a pipe.
            switch output {
            case .watching(let root, let broker): FileHandle.standardOutput.write(Data("watching \(root) on \(broker)\n".utf8))
            case .refused(let reason): FileHandle.standardError.write(Data("watch: broker refused: \(reason)\n".utf8))
            case .line(let line): FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        }
    }
}
