import FlightEdgeTestSupport
import Foundation
import Testing

/// Issue 17, item 7: `check-config` passed a missing password file, a missing spool folder and a
/// configuration without feeds silently, and named a feed `feeds[0]`. Now no feed is an error,
/// the files are warnings naming the key and the feed (errors with `--strict`, as on the
/// airport's server), and `--skip-files` checks a file written for another machine.
@Suite struct CheckConfigFilesTests {
    private let folder: URL

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("checkfiles-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }

    private func write(_ text: String) throws -> String {
        let path = folder.appendingPathComponent("flightedge.toml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private func configuration(passwordFile: String, spool: String, feeds: Bool = true) -> String {
        """
        [airport]
        iata = "ZRH"
        timezone = "Europe/Zurich"

        [database]
        url = "postgresql:///flightedge"

        [mqtt]
        host = "127.0.0.1"
        username = "flightedge"
        password_file = "\(passwordFile)"

        """
            + (feeds
                ? """
                [[feeds]]
                name = "fids-drop"
                format = "jsonl"
                transport = "spool-dir"
                path = "\(spool)"

                """ : "")
    }

    @Test func aMissingPasswordFileAndSpoolFolderAreErrorsNamingKeyAndFeed() throws {
        let password = folder.appendingPathComponent("nope.password").path
        let spool = folder.appendingPathComponent("spool-typo").path
        let path = try write(configuration(passwordFile: password, spool: spool))
        let warned = try CommandRun(["check-config", "--config", path])
        #expect(warned.status == 0, "warnings without --strict: \(warned.errors)")
        #expect(warned.errors.contains("warning: \(path): mqtt.password_file: \(password): no such file"), "\(warned.errors)")
        #expect(warned.errors.contains("warning: \(path): feed fids-drop: path: \(spool): no such folder"))

        let run = try CommandRun(["check-config", "--strict", "--config", path])
        #expect(run.status == 1)
        #expect(run.errors.contains("\(path): mqtt.password_file: \(password): no such file"), "\(run.errors)")
        #expect(run.errors.contains("\(path): feed fids-drop: path: \(spool): no such folder"), "\(run.errors)")
        #expect(run.errors.contains("\(path): 2 error(s)"))
        #expect(!run.output.contains("OK"))

        // Both made: the same file passes.
        try Data("secret\n".utf8).write(to: URL(fileURLWithPath: password))
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: password)
        try FileManager.default.createDirectory(atPath: spool, withIntermediateDirectories: true)
        let fixed = try CommandRun(["check-config", "--strict", "--config", path])
        #expect(fixed.status == 0, "\(fixed.errors)")
        #expect(!fixed.errors.contains("warning"), "\(fixed.errors)")
        #expect(fixed.output.contains("\(path): OK (1 feed(s))"))
    }

    @Test func aFileWhereTheSpoolFolderShouldBeIsRefused() throws {
        let password = folder.appendingPathComponent("mqtt.password")
        try Data("secret\n".utf8).write(to: password)
        let notAFolder = folder.appendingPathComponent("spool")
        try Data().write(to: notAFolder)
        let path = try write(configuration(passwordFile: password.path, spool: notAFolder.path))
        let run = try CommandRun(["check-config", "--strict", "--config", path])
        #expect(run.status == 1)
        #expect(run.errors.contains("feed fids-drop: path: \(notAFolder.path): not a folder"), "\(run.errors)")
    }

    @Test func aConfigurationWithoutFeedsIsAnError() throws {
        let password = folder.appendingPathComponent("mqtt.password")
        try Data("secret\n".utf8).write(to: password)
        let path = try write(configuration(passwordFile: password.path, spool: "", feeds: false))
        let run = try CommandRun(["check-config", "--config", path])
        #expect(run.status == 1)
        #expect(run.errors.contains("\(path): no [[feeds]] table"), "\(run.errors)")
    }

    @Test func skipFilesChecksTheFileAloneForAnotherMachine() throws {
        let path = try write(configuration(passwordFile: "/etc/flightedge/absent.password", spool: "/var/spool/absent"))
        let run = try CommandRun(["check-config", "--strict", "--skip-files", "--config", path])
        #expect(run.status == 0, "\(run.errors)")
        #expect(run.output.contains("OK (1 feed(s))"))
        #expect(!run.errors.contains("absent"), "\(run.errors)")
    }

    @Test func aFeedsErrorNamesTheFeed() throws {
        let password = folder.appendingPathComponent("mqtt.password")
        try Data("secret\n".utf8).write(to: password)
        let text = configuration(passwordFile: password.path, spool: folder.path) + "framing = \"morse\"\n"
        let path = try write(text)
        let line = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("framing") }! + 1
        let run = try CommandRun(["check-config", "--config", path])
        #expect(run.status == 1)
        #expect(
            run.errors.contains("\(path):\(line): feeds[0].framing (feed \"fids-drop\"): unknown framing \"morse\""),
            "\(run.errors)")
    }
}
