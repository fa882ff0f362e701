import FlightEdgeTestSupport
import Foundation
import Testing

/// Runs the built `flightedge` binary and captures what it prints.
struct CommandRun {
    var status: Int32
    var output: String
    var errors: String

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        let process = Process()
        process.executableURL = DaemonProcess.binaryUnderTest
        process.arguments = arguments
        process.currentDirectoryURL = Repository.root
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = Pipe()
        let err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        // waitUntilExit() has been seen to hang here after the child was reaped: poll instead.
        while process.isRunning { usleep(5_000) }
        status = process.terminationStatus
        output = String(decoding: outData, as: UTF8.self)
        errors = String(decoding: errData, as: UTF8.self)
    }
}

extension CommandRun {
    /// Runs one of the project's scripts and fails the test when it fails.
    /// (Foundation's `Process` has been seen never to notice such a child exit when the script
    /// leaves a daemon behind, as `pg_ctl start` does.)
    static func script(_ path: String, _ arguments: String...) throws {
        let child = try ChildProcess(path, arguments)
        guard child.wait(seconds: 120) else {
            Issue.record("\(path) \(arguments.joined(separator: " ")) did not finish within 120 s")
            throw TimedOut()
        }
        guard child.exitCode == 0 else {
            Issue.record("\(path) \(arguments.joined(separator: " ")) exited \(child.exitCode.map(String.init) ?? "?")")
            throw TimedOut()
        }
    }
}

@Suite("The flightedge command line")
struct CommandLineTests {
    private func temporaryFile(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "fe-\(UUID().uuidString.prefix(8)).toml"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    private var productionExample: String {
        get throws {
            try String(contentsOf: Repository.root.appendingPathComponent("conf/flightedge.toml"), encoding: .utf8)
        }
    }

    @Test func checkConfigAcceptsTheShippedExamples() throws {
        for file in ["conf/flightedge.toml", "conf/flightedge.dev.toml"] {
            // The examples name files of an airport server (/etc/flightedge/...), not of this machine.
            let run = try CommandRun(["check-config", "--skip-files", "--config", file])
            #expect(run.status == 0, "\(file): \(run.errors)")
            #expect(run.output.contains("OK"))
        }
    }

    @Test func checkConfigNamesAnUnknownTableAndExitsOne() throws {
        let path = try temporaryFile(try productionExample + "\n[radar]\nrange = 5\n")
        let run = try CommandRun(["check-config", "--config", path])
        #expect(run.status == 1)
        #expect(run.errors.contains("radar"))
        #expect(run.errors.contains(path))
    }

    @Test func checkConfigNamesAnUnknownKeyWithItsLine() throws {
        let text = try productionExample.replacingOccurrences(
            of: "[events]", with: "[events]\ndelay_treshold_minutes = 10")
        let path = try temporaryFile(text)
        let lineNumber = text.components(separatedBy: "\n").firstIndex { $0.hasPrefix("delay_treshold_minutes") }! + 1
        let run = try CommandRun(["check-config", "--config", path])
        #expect(run.status == 1)
        #expect(run.errors.contains("delay_treshold_minutes"))
        #expect(run.errors.contains(":\(lineNumber):"))
    }

    @Test func flightedgeConfigEnvironmentVariableChoosesTheFile() throws {
        let run = try CommandRun(["check-config", "--skip-files"], environment: ["FLIGHTEDGE_CONFIG": "conf/flightedge.dev.toml"])
        #expect(run.status == 0, "\(run.errors)")
        let missing = try CommandRun(["check-config"], environment: ["FLIGHTEDGE_CONFIG": "/nonexistent/flightedge.toml"])
        #expect(missing.status == 1)
        #expect(missing.errors.contains("/nonexistent/flightedge.toml"))
    }

    @Test func usageErrorsExitOne() throws {
        #expect(try CommandRun(["no-such-command"]).status == 1)
        #expect(try CommandRun(["check-config", "--no-such-option"]).status == 1)
    }

    @Test func checkConfigNeverPrintsSecrets() throws {
        let text = try productionExample.replacingOccurrences(
            of: #"url = "postgresql:///flightedge?host=/run/postgresql""#,
            with: #"url = "postgresql://flightedge:hunter2secret@db.example/flightedge""#)
        #expect(text.contains("hunter2secret"))
        let run = try CommandRun(["check-config", "--skip-files", "--config", try temporaryFile(text)])
        #expect(run.status == 0, "\(run.errors)")
        #expect(!run.output.contains("hunter2secret"))
        #expect(!run.errors.contains("hunter2secret"))
    }

    @Test func migrateTwiceAgainstAFreshDatabaseIsClean() async throws {
        try await TestServices.withTemporaryDatabase { url in
            let text = try String(contentsOf: Repository.root.appendingPathComponent("conf/flightedge.dev.toml"), encoding: .utf8)
                .replacingOccurrences(of: #"postgresql://flightedge@127.0.0.1:25432/flightedge"#, with: url)
            let path = try temporaryFile(text)
            let first = try CommandRun(["migrate", "--config", path])
            #expect(first.status == 0, "\(first.errors)")
            #expect(first.output.contains("applied migration(s) 1"))
            let second = try CommandRun(["migrate", "--config", path])
            #expect(second.status == 0)
            #expect(second.output.contains("schema is current"))
        }
    }

    @Test func migrateAgainstAnUnreachableDatabaseIsARuntimeFailure() throws {
        let text = try String(contentsOf: Repository.root.appendingPathComponent("conf/flightedge.dev.toml"), encoding: .utf8)
            .replacingOccurrences(of: "127.0.0.1:25432", with: "127.0.0.1:1")
        let run = try CommandRun(["migrate", "--config", try temporaryFile(text)])
        #expect(run.status == 2)
        #expect(run.errors.contains("connection failed"))
    }
}
