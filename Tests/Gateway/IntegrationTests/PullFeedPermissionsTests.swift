import FlightEdgeTestSupport
import Foundation
import Testing

/// Issue 19's leftover: `check-config` warned about every secret file others can read except
/// the pull feeds' (`password_file`, `token_file`). It now warns about those too, as ssh does.
@Suite("Pull feeds' secret files: permission warnings")
struct PullFeedPermissionsTests {
    @Test func checkConfigWarnsAboutPullFeedSecretsEveryUserCanRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("pull-perm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let token = folder.appendingPathComponent("aodb.token").path
        let amqpPassword = folder.appendingPathComponent("aodb-amqp.password").path
        let sqlPassword = folder.appendingPathComponent("aodb-db.password").path
        for path in [token, amqpPassword, sqlPassword] { try Data("secret\n".utf8).write(to: URL(fileURLWithPath: path)) }
        let config = folder.appendingPathComponent("flightedge.toml")
        try Data("""
            [airport]
            iata = "ZRH"
            timezone = "Europe/Zurich"

            [database]
            url = "postgresql:///flightedge"

            [mqtt]
            host = "127.0.0.1"

            [[feeds]]
            name = "aodb-api"
            format = "aidx"
            transport = "http-poll"
            url = "http://127.0.0.1:9/flights"
            token_file = "\(token)"

            [[feeds]]
            name = "aodb-queue"
            format = "aidx"
            transport = "amqp"
            url = "amqp://flightedge@127.0.0.1:9/aodb"
            password_file = "\(amqpPassword)"
            queue = "fids.aidx"

            [[feeds]]
            name = "aodb-view"
            format = "sql"
            transport = "sql-poll"
            dsn = "Driver=PostgreSQL Unicode;Server=127.0.0.1;Database=aodb;UID=fids"
            password_file = "\(sqlPassword)"
            query = "SELECT * FROM fids WHERE changed_at > ? ORDER BY changed_at"
            cursor_column = "changed_at"

            [feeds.options]
            direction = "departure"
            columns = { flight = "flight", scheduled = "std" }
            """.utf8).write(to: config)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config.path)

        for path in [token, amqpPassword, sqlPassword] {
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
        }
        let loose = try CommandRun(["check-config", "--config", config.path])
        #expect(loose.status == 0, "a warning, not a refusal: \(loose.errors)")
        #expect(loose.errors.contains("feeds aodb-api: token_file: \(token) is readable by every user (mode 0644)"), "\(loose.errors)")
        #expect(loose.errors.contains("feeds aodb-queue: password_file: \(amqpPassword) is readable by every user"), "\(loose.errors)")
        #expect(loose.errors.contains("feeds aodb-view: password_file: \(sqlPassword) is readable by every user"), "\(loose.errors)")

        for path in [token, amqpPassword, sqlPassword] {
            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: path)
        }
        let tight = try CommandRun(["check-config", "--config", config.path])
        #expect(tight.status == 0, "\(tight.errors)")
        #expect(!tight.errors.contains("warning:"), "\(tight.errors)")
    }
}
