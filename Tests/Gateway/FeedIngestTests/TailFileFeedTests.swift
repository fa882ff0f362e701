import Configuration
import FeedIngest
import Foundation
import Logging
import Testing

/// `tail-file` against real files in a scratch folder: appends, rotation by rename, truncation,
/// and resuming from a committed position.
@Suite("tail-file transport") struct TailFileFeedTests {
    /// A scratch folder with the tailed file's path, and a feed reading it into a queue.
    final class Harness: Sendable {
        let folder: URL
        let path: String
        let queue = IngestQueue<Frame>()
        let config: FeedConfig

        init(framing: Framing = .lf) throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("tail-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            path = folder.appendingPathComponent("feed.log").path
            config = FeedConfig(name: "tail", format: .jsonl, transport: .tailFile, path: path, framing: framing)
        }

        deinit { try? FileManager.default.removeItem(at: folder) }

        func start(resumingAt position: TailFileFeed.Position? = nil) -> Task<Void, any Error> {
            var feed = TailFileFeed(
                config: config, sink: FrameSink(queue: queue, counters: FeedCounters(feed: "tail")),
                logger: Logger(label: "test"), resumingAt: position)
            feed.pollInterval = .milliseconds(20)
            return Task { try await feed.run() }
        }

        func append(_ text: String, to file: String? = nil) throws {
            let target = file ?? path
            if !FileManager.default.fileExists(atPath: target) { _ = FileManager.default.createFile(atPath: target, contents: nil) }
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: target))
            try handle.seekToEnd()
            try handle.write(contentsOf: Data(text.utf8))
            try handle.close()
        }

        /// The next `count` frames' texts and positions, waiting up to 10 s.
        func frames(_ count: Int) async throws -> [(text: String, position: FramePosition)] {
            var result: [(String, FramePosition)] = []
            let deadline = ContinuousClock.now + .seconds(10)
            while result.count < count {
                guard ContinuousClock.now < deadline else { break }
                let wanted = count - result.count
                let batch = try await withThrowingTaskGroup(of: [Frame]?.self) { group in
                    group.addTask { await self.queue.takeBatch(maxItems: wanted) }
                    group.addTask {
                        try await Task.sleep(for: .seconds(10))
                        return nil
                    }
                    let first = try await group.next() ?? nil
                    group.cancelAll()
                    return first ?? []
                }
                result += batch.map { (String(decoding: $0.bytes, as: UTF8.self), $0.position) }
            }
            return result
        }

        func inode(_ file: String? = nil) throws -> UInt64 {
            let attributes = try FileManager.default.attributesOfItem(atPath: file ?? path)
            return (attributes[.systemFileNumber] as? NSNumber)?.uint64Value ?? 0
        }
    }

    @Test func followsAppendsAndWaitsForAPartialLine() async throws {
        let harness = try Harness()
        try harness.append("one\ntw")
        let task = harness.start()
        defer { task.cancel() }
        let first = try await harness.frames(1)
        #expect(first.map(\.text) == ["one"])
        try harness.append("o\nthree\n")
        let next = try await harness.frames(2)
        #expect(next.map(\.text) == ["two", "three"])
        guard case .tail(let name, let inode, let offset, let end) = next[1].position else {
            Issue.record("expected a tail position, got \(next[1].position)")
            return
        }
        #expect(name == harness.path)
        #expect(inode == (try harness.inode()))
        #expect(offset == 8)
        #expect(end == 14)
    }

    @Test func survivesRotationByRenameWithoutLosingTheOldFilesTail() async throws {
        let harness = try Harness()
        try harness.append("a1\n")
        let task = harness.start()
        defer { task.cancel() }
        #expect(try await harness.frames(1).map(\.text) == ["a1"])
        // The writer appends once more, then rotates: the last line of the old file must come.
        try harness.append("a2\n")
        try FileManager.default.moveItem(atPath: harness.path, toPath: harness.path + ".1")
        try harness.append("b1\nb2\n")
        let frames = try await harness.frames(3)
        #expect(frames.map(\.text) == ["a2", "b1", "b2"])
        guard case .tail(_, let inode, let offset, _) = frames[1].position else {
            Issue.record("expected a tail position")
            return
        }
        #expect(inode == (try harness.inode()))
        #expect(offset == 0)
    }

    @Test func survivesTruncationInPlace() async throws {
        let harness = try Harness()
        try harness.append("first line that is long\n")
        let task = harness.start()
        defer { task.cancel() }
        #expect(try await harness.frames(1).map(\.text) == ["first line that is long"])
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: harness.path))
        try handle.truncate(atOffset: 0)
        try handle.close()
        try await Task.sleep(for: .milliseconds(100))
        try harness.append("after\n")
        #expect(try await harness.frames(1).map(\.text) == ["after"])
    }

    @Test func resumesExactlyAtTheCommittedPosition() async throws {
        let harness = try Harness()
        try harness.append("one\ntwo\nthree\n")
        let task = harness.start(resumingAt: TailFileFeed.Position(inode: try harness.inode(), offset: 8))
        defer { task.cancel() }
        #expect(try await harness.frames(1).map(\.text) == ["three"])
    }

    @Test func resumesInTheRotatedFileFoundByInodeThenReadsTheNewOne() async throws {
        let harness = try Harness()
        try harness.append("old1\nold2\n")
        let oldInode = try harness.inode()
        try FileManager.default.moveItem(atPath: harness.path, toPath: harness.path + ".1")
        try harness.append("new1\n")
        let task = harness.start(resumingAt: TailFileFeed.Position(inode: oldInode, offset: 5))
        defer { task.cancel() }
        let frames = try await harness.frames(2)
        #expect(frames.map(\.text) == ["old2", "new1"])
        guard case .tail(let name, let inode, _, _) = frames[0].position else {
            Issue.record("expected a tail position")
            return
        }
        #expect(name == harness.path)
        #expect(inode == oldInode)
    }

    @Test func waitsForAFileThatDoesNotExistYet() async throws {
        let harness = try Harness()
        let task = harness.start()
        defer { task.cancel() }
        try await Task.sleep(for: .milliseconds(100))
        try harness.append("late\n")
        #expect(try await harness.frames(1).map(\.text) == ["late"])
    }

    @Test func framesTypeBMessagesWithSTXETX() async throws {
        let harness = try Harness(framing: .stxEtx)
        try harness.append("\u{01}QU ZRHKLXH\r\n.LHROOBA 241200\r\n\u{02}MVT\r\nBA123/24\r\n\u{03}\r\n")
        let task = harness.start()
        defer { task.cancel() }
        let frames = try await harness.frames(1)
        #expect(frames.first?.text.hasPrefix("QU ZRHKLXH") == true)
        #expect(frames.first?.text.hasSuffix("BA123/24\r\n") == true)
    }
}
