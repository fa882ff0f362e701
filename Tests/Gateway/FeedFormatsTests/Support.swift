import FeedFormats
import FlightModel
import Foundation
import Testing

/// The sample messages copied from ../shared/samples (provenance in Samples/SOURCES.md).
enum Samples {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Samples")

    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: folder.appendingPathComponent(path)))
    }
}

let testContext = FrameContext(
    feed: "aodb", receivedAt: Timestamp(iso8601: "2026-11-24T12:00:00Z")!)

extension FlightUpdate {
    /// The text of a text field the update sets, nil otherwise.
    func text(_ field: FlightField) -> String? {
        if case .value(.text(let text)) = self[field] { return text }
        return nil
    }

    /// The ISO 8601 form of a time field the update sets, nil otherwise.
    func time(_ field: FlightField) -> String? {
        if case .value(.time(let time)) = self[field] { return time.iso8601 }
        return nil
    }

    /// The status the update sets, nil otherwise.
    var status: FlightStatus? {
        if case .value(.status(let status)) = self[.status] { return status }
        return nil
    }
}
