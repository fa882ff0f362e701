import Configuration
import FeedIngest
import Foundation
import Logging
import Testing

/// `spool-dir` against a real folder (issue 18, items 4 and 5): links are not followed, only
/// regular files under final names are read, and whatever is refused becomes a rejected frame
/// (the pipeline puts it in `rejected_frames` and moves the entry to `rejected/`).
@Suite("spool-dir transport") struct SpoolDirectoryFeedTests {
    final class Harness: Sendable {
        let folder: URL
        let outside: URL
        let queue = IngestQueue<Frame>()
        let config: FeedConfig

        init(settleSeconds: Int = 0, framing: Framing? = .lf) throws {
            let root = FileManager.default.temporaryDirectory.appendingPathComponent("spool-\(UUID().uuidString)")
            folder = root.appendingPathComponent("spool")
            outside = root.appendingPathComponent("outside")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
            var config = FeedConfig(name: "drop", format: .jsonl, transport: .spoolDir, path: folder.path, framing: framing)
            config.settleSeconds = settleSeconds
            self.config = config
        }

        deinit { try? FileManager.default.removeItem(at: folder.deletingLastPathComponent()) }

        func start() -> Task<Void, any Error> {
            var feed = SpoolDirectoryFeed(
                config: config, sink: FrameSink(queue: queue, counters: FeedCounters(feed: "drop")), logger: Logger(label: "test"))
            feed.pollInterval = .milliseconds(20)
            return Task { try await feed.run() }
        }

        func write(_ text: String, to name: String) throws {
            try Data(text.utf8).write(to: folder.appendingPathComponent(name))
        }

        /// The frames queued within `seconds`, completing each file's last one as the
        /// pipeline would after its commit (rejected when every frame of it has a framing error).
        func frames(within seconds: Double) async throws -> [Frame] {
            try await Task.sleep(for: .seconds(seconds))
            var frames: [Frame] = []
            while case let more = queue.takeAvailable(maxItems: 10_000), !more.isEmpty { frames += more }
            for frame in frames where frame.fileCompletion?.isLast == true {
                frame.fileCompletion?.complete(frame.framingError != nil)
            }
            return frames
        }

        func exists(_ path: String) -> Bool {
            var status = stat()
            return lstat(folder.appendingPathComponent(path).path, &status) == 0
        }
    }

    @Test func aSymbolicLinkIsRefusedNotFollowed() async throws {
        let harness = try Harness()
        let secret = harness.outside.appendingPathComponent("passwd")
        try Data("root:secret:0:0\n".utf8).write(to: secret)
        try FileManager.default.createSymbolicLink(
            atPath: harness.folder.appendingPathComponent("link.jsonl").path, withDestinationPath: secret.path)
        let feed = harness.start()
        defer { feed.cancel() }
        let frames = try await harness.frames(within: 0.5)
        #expect(frames.count == 1)
        #expect(frames.first?.bytes.isEmpty == true, "the target's content is never read")
        #expect(frames.first?.framingError?.contains("a symbolic link") == true)
        #expect(harness.exists("rejected/link.jsonl"), "the link itself moves to rejected/")
        #expect(FileManager.default.fileExists(atPath: secret.path), "its target stays where it was")
    }

    @Test func directoriesAndEmptyFilesBecomeRejectedFrames() async throws {
        let harness = try Harness()
        try FileManager.default.createDirectory(at: harness.folder.appendingPathComponent("sub"), withIntermediateDirectories: true)
        try harness.write("", to: "empty.jsonl")
        #expect(mkfifo(harness.folder.appendingPathComponent("pipe").path, 0o600) == 0)
        let feed = harness.start()
        defer { feed.cancel() }
        let frames = try await harness.frames(within: 0.5)
        let reasons = Dictionary(uniqueKeysWithValues: frames.map { ($0.position.description, $0.framingError ?? "") })
        #expect(reasons["empty.jsonl@0"]?.contains("holds no frame") == true)
        #expect(reasons["pipe@0"]?.contains("a named pipe") == true)
        #expect(reasons["sub@0"]?.contains("a directory") == true)
        #expect(harness.exists("rejected/sub") && harness.exists("rejected/empty.jsonl") && harness.exists("rejected/pipe"))
    }

    @Test func filesUnderTemporaryNamesWaitForTheirRename() async throws {
        let harness = try Harness()
        for name in [".hidden.jsonl", "a.jsonl.tmp", "b.jsonl.part", "c.jsonl.PARTIAL", "d.jsonl~"] {
            try harness.write("{\"n\":1}\n", to: name)
        }
        let feed = harness.start()
        defer { feed.cancel() }
        #expect(try await harness.frames(within: 0.4).isEmpty)
        try FileManager.default.moveItem(
            at: harness.folder.appendingPathComponent("b.jsonl.part"), to: harness.folder.appendingPathComponent("b.jsonl"))
        let frames = try await harness.frames(within: 0.4)
        #expect(frames.map(\.position.description) == ["b.jsonl@0"])
    }

    @Test func withSettleTimeAFileWrittenInPlaceIsReadOnceItStopsChanging() async throws {
        let harness = try Harness(settleSeconds: 3600)
        let feed = harness.start()
        defer { feed.cancel() }
        // Half written, just changed: a writer in place is still at it.
        try harness.write("{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n{\"n\":", to: "inplace.jsonl")
        #expect(try await harness.frames(within: 0.5).isEmpty, "still changing")
        let handle = try FileHandle(forWritingTo: harness.folder.appendingPathComponent("inplace.jsonl"))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("4}\n{\"n\":5}\n{\"n\":6}\n".utf8))
        try handle.close()
        #expect(try await harness.frames(within: 0.5).isEmpty, "changed again")
        // Unchanged for longer than settle_time: read whole.
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -7200)], ofItemAtPath: harness.folder.appendingPathComponent("inplace.jsonl").path)
        let frames = try await harness.frames(within: 0.5)
        #expect(frames.count == 6)
        #expect(frames.allSatisfy { $0.framingError == nil })
        #expect(frames.map(\.fileCompletion?.isLast) == [false, false, false, false, false, true])
    }

    @Test func aLargeFileIsFramedAsItIsReadInChunks() async throws {
        let harness = try Harness()
        let lines = (0..<15_000).map { "{\"n\":\($0),\"pad\":\"\(String(repeating: "x", count: 40))\"}" }
        try harness.write(lines.joined(separator: "\n") + "\n", to: "big.jsonl")
        let feed = harness.start()
        defer { feed.cancel() }
        let frames = try await harness.frames(within: 1.0)
        #expect(frames.count == 15_000)
        #expect(String(decoding: frames.last?.bytes ?? [], as: UTF8.self) == lines.last)
        #expect(frames.filter { $0.fileCompletion?.isLast == true }.count == 1)
    }

    @Test func aWholeFileOverTheLimitKeepsOnlyItsPrefix() async throws {
        let harness = try Harness(framing: .file)
        try harness.write(String(repeating: "y", count: 2 << 20), to: "huge.xml")
        let feed = harness.start()
        defer { feed.cancel() }
        let frames = try await harness.frames(within: 0.5)
        #expect(frames.count == 1)
        #expect(frames.first?.bytes.count == 1024)
        #expect(frames.first?.framingError?.contains("frame of 2097152 bytes exceeds max_frame_bytes") == true)
    }
}
