import FlightEdgeTestSupport
import Foundation
import Testing

/// Issue 18, item 9: a world-writable configuration and a world-readable password file were
/// accepted silently. `check-config` now warns about both, naming the file, its mode and the
/// fix, as ssh does; the same warnings are logged at start.
@Suite("File permissions: warnings like ssh's")
struct FilePermissionsTests {
    @Test func checkConfigWarnsAboutAWorldWritableConfigAndAReadablePassword() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("perm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let password = folder.appendingPathComponent("mqtt.password")
        try Data("secret\n".utf8).write(to: password)
        let config = folder.appendingPathComponent("flightedge.toml")
        try Data("""
            [airport]
            iata = "ZRH"
            timezone = "Europe/Zurich"

            [database]
            url = "postgresql:///flightedge"

            [mqtt]
            host = "127.0.0.1"
            username = "flightedge"
            password_file = "\(password.path)"

            [[feeds]]
            name = "sim"
            format = "jsonl"
            transport = "tcp-listen"
            address = "127.0.0.1:27002"
            """.utf8).write(to: config)

        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: config.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: password.path)
        let loose = try CommandRun(["check-config", "--config", config.path])
        #expect(loose.status == 0, "a warning, not a refusal: \(loose.errors)")
        #expect(loose.errors.contains("warning: \(config.path): writable by every user (mode 0666)"), "\(loose.errors)")
        #expect(loose.errors.contains("mqtt.password_file: \(password.path) is readable by every user (mode 0644)"))

        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: config.path)
        try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: password.path)
        let tight = try CommandRun(["check-config", "--config", config.path])
        #expect(tight.status == 0)
        #expect(!tight.errors.contains("warning:"), "\(tight.errors)")
    }
}
