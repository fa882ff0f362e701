import FlightEdgeTestSupport
import Foundation
import Postgres
import Testing

/// Issue 18, items 4 and 5: a symbolic link in the spool folder had its target (the daemon's
/// own password file in the probe) stored verbatim in `rejected_frames`; empty files and
/// directories showed only in the log. Now every entry that is not read is a rejected frame
/// saying why, the link is never followed, and the entry moves to `rejected/`.
@Suite("Fault suite: what the spool folder must not read")
struct SpoolFolderFaultTests {
    @Test func aLinkAnEmptyFileAndADirectoryAreRefusedVisibly() async throws {
        try await withDaemon { daemon in
            let secret = daemon.folder.appendingPathComponent("db.password")
            try Data("s3cret-password\n".utf8).write(to: secret)
            try FileManager.default.createSymbolicLink(
                atPath: daemon.spool.appendingPathComponent("000-link.jsonl").path, withDestinationPath: secret.path)
            try Data().write(to: daemon.spool.appendingPathComponent("001-empty.jsonl"))
            try FileManager.default.createDirectory(
                at: daemon.spool.appendingPathComponent("002-folder"), withIntermediateDirectories: true)
            // A file still being written under a temporary name is left alone.
            try Data("{\"airline\":\"LX\"".utf8).write(to: daemon.spool.appendingPathComponent("003.jsonl.part"))

            let connection = try PostgresConnection(conninfo: daemon.databaseURL)
            try await eventually("three refusals in rejected_frames") {
                try connection.query("SELECT count(*) FROM flightedge.rejected_frames WHERE feed = 'drop'").rows == [["3"]]
            }
            let rows = try connection.query(
                "SELECT position, error, length(raw) FROM flightedge.rejected_frames WHERE feed = 'drop' ORDER BY position").rows
            #expect(rows.map { $0[0] } == ["000-link.jsonl@0", "001-empty.jsonl@0", "002-folder@0"])
            #expect(rows[0][1]?.contains("a symbolic link") == true && rows[0][2] == "0", "the target is never read: \(rows)")
            #expect(rows[1][1]?.contains("holds no frame") == true)
            #expect(rows[2][1]?.contains("a directory") == true)
            let leaked = try connection.query(
                "SELECT count(*) FROM flightedge.rejected_frames WHERE position('s3cret' in convert_from(raw, 'UTF8')) > 0").rows
            #expect(leaked == [["0"]])
            try await eventually("the entries moved to rejected/") {
                ["000-link.jsonl", "001-empty.jsonl", "002-folder"].allSatisfy {
                    (try? FileManager.default.destinationOfSymbolicLink(atPath: daemon.spool.appendingPathComponent("rejected/\($0)").path)) != nil
                        || FileManager.default.fileExists(atPath: daemon.spool.appendingPathComponent("rejected/\($0)").path)
                }
            }
            #expect(FileManager.default.fileExists(atPath: secret.path), "the link's target stays")
            #expect(FileManager.default.fileExists(atPath: daemon.spool.appendingPathComponent("003.jsonl.part").path))
            #expect(try daemon.metric(#"flightedge_feed_rejected_frames_total{feed="drop"}"#) == 3)
            print("fault suite, spool folder: a link, an empty file and a directory each a rejected frame with its reason (link target never read), moved to rejected/; a .part file left alone")
            #expect(daemon.stop() == 0)
        }
    }
}
