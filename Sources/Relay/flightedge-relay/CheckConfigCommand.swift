import ArgumentParser
import Configuration

/// `flightedge-relay check-config`: validates like the gateway's (key and line in every error, exit 1).
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration; every error names its key and line. Exit 1 on error.")

    @OptionGroup var config: RelayConfigOption

    func run() async throws {
        let loaded = try config.load()
        let channels = [
            loaded.smtp.map { _ in "email" }, loaded.sms.map { _ in "sms" }, loaded.fcm.map { _ in "fcm" },
            loaded.webpush.map { _ in "webpush" },
        ].compactMap { $0 }
        print(
            "\(config.path): OK (source \(loaded.source.kind.rawValue), channels: \(channels.isEmpty ? "none" : channels.joined(separator: ", ")))")
    }
}
