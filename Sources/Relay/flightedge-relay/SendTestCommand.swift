import ArgumentParser
import RelayDaemon

/// `flightedge-relay send-test --channel email|sms|fcm|webpush --to ADDRESS`.
struct SendTestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send-test",
        abstract: "Send one test notification through a channel, to prove its credentials.",
        discussion: "For webpush, --to is the browser's subscription JSON.")

    @Option(help: "email, sms, fcm or webpush.")
    var channel: String

    @Option(help: "The address: an e-mail address, an E.164 number, an FCM token, or a Web Push subscription's JSON.")
    var to: String

    @OptionGroup var config: RelayConfigOption

    func run() async throws {
        let loaded = try config.load()
        do {
            let id = try await SendTest.send(config: loaded, channel: channel, to: to)
            print("sent: \(id)")
        } catch {
            complain("flightedge-relay send-test: \(error)")
            throw ExitCode(2)
        }
    }
}
