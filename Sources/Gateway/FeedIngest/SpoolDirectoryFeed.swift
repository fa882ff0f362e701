import Configuration
import FeedFraming
import Foundation
import Logging
import Synchronization
import Timing

/// `transport = "spool-dir"`: files dropped into a folder are each read once, in name order,
/// and moved to `done/` (or `rejected/` when nothing in them could be used) after the commit
/// that covers them. Files still being written — dotfiles and `*.tmp` — are left alone. The
/// folder is polled every 250 ms.
public struct SpoolDirectoryFeed: Sendable {
    public let config: FeedConfig
    public let sink: FrameSink
    public let logger: Logger
    public var pollInterval: Duration = .milliseconds(250)

    /// Files the last committed batch finished before a restart: they were committed but may
    /// not have been moved yet (see `feed_checkpoints.recent_files`).
    private let alreadyCommitted: Set<String>
    /// The file a crash interrupted and the offset of its last committed frame: its frames up
    /// to there are not taken again. (Replaying them would be harmless for most updates, but
    /// two updates of one field with the same source time would swap back and forth.)
    private let resume: Position?

    /// Where the last committed frame of a spool file was.
    public struct Position: Sendable, Equatable {
        public var file: String
        public var offset: Int64

        public init(file: String, offset: Int64) {
            self.file = file
            self.offset = offset
        }
    }

    public init(
        config: FeedConfig, sink: FrameSink, logger: Logger, alreadyCommitted: Set<String> = [], resumingAt resume: Position? = nil
    ) {
        self.config = config
        self.sink = sink
        self.logger = logger
        self.alreadyCommitted = alreadyCommitted
        self.resume = resume
    }

    var folder: URL { URL(fileURLWithPath: config.path ?? ".") }

    /// Watches the folder until the task is cancelled.
    public func run() async throws {
        let manager = FileManager.default
        for sub in ["done", "rejected"] {
            try manager.createDirectory(at: folder.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        logger.info("feed watching spool folder", metadata: ["feed": "\(config.name)", "path": "\(folder.path)"])
        let tracker = SpoolFileTracker()
        var leftovers = alreadyCommitted
        while !Task.isCancelled {
            for name in try pendingFiles(excluding: tracker) {
                if leftovers.remove(name) != nil {
                    // Committed before a restart, not yet moved: move it, do not read it again.
                    move(name, to: "done")
                    continue
                }
                guard try await read(name, tracker: tracker) else { return }
            }
            try await Task.sleep(for: pollInterval)
        }
    }

    /// Complete files waiting in the folder, in name order, that are not already in flight.
    func pendingFiles(excluding tracker: SpoolFileTracker) throws -> [String] {
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
        return names.filter { name in
            guard !name.hasPrefix("."), !name.hasSuffix(".tmp"), !tracker.isInFlight(name) else { return false }
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path, isDirectory: &isDirectory)
                && !isDirectory.boolValue
        }.sorted()
    }

    /// Frames one file and delivers its frames; the last frame's commit moves the file.
    private func read(_ name: String, tracker: SpoolFileTracker) async throws -> Bool {
        let url = folder.appendingPathComponent(name)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            logger.error("cannot read spool file; moving it to rejected/", metadata: ["feed": "\(config.name)", "file": "\(name)", "error": "\(error)"])
            move(name, to: "rejected")
            return true
        }
        var (outputs, skipped) = WholeInputFraming.frames(
            of: data, framing: config.framing, maxFrameBytes: config.maxFrameBytes)
        if skipped > 0 { sink.counters.bytesSkipped(skipped) }
        if let resume, resume.file == name {
            let before = outputs.count
            outputs.removeAll { Self.offset(of: $0) <= resume.offset }
            logger.info(
                "resuming a spool file after its last committed frame",
                metadata: ["feed": "\(config.name)", "file": "\(name)", "skipped": "\(before - outputs.count)"])
            if outputs.isEmpty {
                move(name, to: "done")
                return true
            }
        }
        if outputs.isEmpty {
            logger.warning("spool file holds no frame; moving it to rejected/", metadata: ["feed": "\(config.name)", "file": "\(name)"])
            move(name, to: "rejected")
            return true
        }
        tracker.start(name, frames: outputs.count)
        let now = WallClock.milliseconds
        for (index, output) in outputs.enumerated() {
            var frame = Frame(output, feed: config.name, receivedAtMilliseconds: now) { offset, _ in .file(name: name, offset: offset) }
            frame.fileCompletion = FileCompletion(name: name, isLast: index == outputs.count - 1) { [self] rejectedAll in
                if tracker.finish(name) { move(name, to: rejectedAll ? "rejected" : "done") }
            }
            guard await sink.deliver(frame) else { return false }
        }
        return true
    }

    private static func offset(of output: FramerOutput) -> Int64 {
        switch output {
        case .frame(_, let offset, _), .oversize(_, let offset, _, _), .broken(_, let offset, _, _): offset
        }
    }

    private func move(_ name: String, to subfolder: String) {
        let source = folder.appendingPathComponent(name)
        var target = folder.appendingPathComponent(subfolder).appendingPathComponent(name)
        if FileManager.default.fileExists(atPath: target.path) {
            target = folder.appendingPathComponent(subfolder).appendingPathComponent("\(name).\(WallClock.milliseconds)")
        }
        do {
            try FileManager.default.moveItem(at: source, to: target)
        } catch {
            logger.error(
                "cannot move spool file", metadata: ["feed": "\(config.name)", "file": "\(name)", "to": "\(subfolder)", "error": "\(error)"])
        }
    }
}

/// Which spool files have frames waiting for a commit.
final class SpoolFileTracker: Sendable {
    private let inFlight = Mutex<Set<String>>([])

    func isInFlight(_ name: String) -> Bool { inFlight.withLock { $0.contains(name) } }
    func start(_ name: String, frames: Int) { _ = inFlight.withLock { $0.insert(name) } }
    /// True when the file was in flight (so the caller moves it exactly once).
    func finish(_ name: String) -> Bool { inFlight.withLock { $0.remove(name) != nil } }
}
