import ArgumentParser
import Configuration
import Foundation
import GatewayDaemon

/// `flightedge check-config`: validates the configuration and prints it with secrets masked.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate the configuration; every error names its key and line. Exit 1 on error."
    )

    @OptionGroup var config: ConfigOption

    @Flag(help: "Treat a missing or unreadable password file or spool folder as an error (exit 1), not a warning: on the machine the daemon runs on.")
    var strict = false

    @Flag(help: "Check the file alone, not the password files and spool folders it names (a configuration for another machine).")
    var skipFiles = false

    func run() async throws {
        let loaded = try config.load()
        for warning in loaded.permissionWarnings(configPath: config.path) {
            FileHandle.standardError.write(Data("warning: \(warning)\n".utf8))
        }
        var problems: [String] = []
        if loaded.feeds.isEmpty {
            problems.append(
                "\(config.path): no [[feeds]] table: the gateway would read no flight updates "
                    + "(conf/flightedge.toml shows one feed of each transport)")
        }
        let files = skipFiles ? [] : loaded.deploymentProblems(configPath: config.path)
        if strict {
            problems += files
        } else {
            for file in files { FileHandle.standardError.write(Data("warning: \(file)\n".utf8)) }
        }
        guard problems.isEmpty else {
            let text = (problems + ["\(config.path): \(problems.count) error(s)"]).joined(separator: "\n")
            FileHandle.standardError.write(Data("\(text)\n".utf8))
            throw ExitCode(1)
        }
        print(loaded.redacted())
        print("\(config.path): OK (\(loaded.feeds.count) feed(s))")
    }
}
