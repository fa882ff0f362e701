public import Configuration
import FlightModel

/// Why a feed's decoder could not be set up from its configuration (`[feeds.options]`).
public struct DecoderSetupError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The option at fault (`columns.gate`, `timezone`), when one is.
    public var option: String?
    public var message: String

    public init(_ message: String, option: String? = nil) {
        self.message = message
        self.option = option
    }

    public var description: String {
        if let option { return "options.\(option): \(message)" }
        return message
    }
}

/// Builds the decoder a feed's `format` names, set up from its options.
public enum DecoderCatalog {
    /// The decoder for `feed` at `airport`; throws when the feed's options do not make sense.
    public static func decoder(for feed: FeedConfig, airport: AirportConfig) throws(DecoderSetupError) -> any FrameDecoder {
        switch feed.format {
        case .jsonl: JSONLinesDecoder()
        case .aidx: try AIDXDecoder(feed: feed, airport: airport)
        case .mvt: try MVTDecoder(feed: feed, airport: airport)
        case .csv: try CSVDecoder(feed: feed, airport: airport)
        case .sql: try CSVDecoder(feed: feed.sqlRowsAsCSV, airport: airport)
        }
    }

    /// A decoder for `flightedge parse` without a configuration: `airport` nil takes the
    /// flights of any airport. Formats that need a feed's options (csv) refuse.
    public static func decoder(for format: FeedFormat, airport: String?) throws(DecoderSetupError) -> any FrameDecoder {
        switch format {
        case .jsonl: JSONLinesDecoder()
        case .aidx: AIDXDecoder(airport: airport)
        case .mvt: MVTDecoder(airport: airport)
        case .csv: throw DecoderSetupError("csv needs a feed's column mapping: pass --config with a csv feed")
        case .sql: throw DecoderSetupError("sql needs a feed's column mapping: pass --config with a sql-poll feed")
        }
    }
}

extension FeedConfig {
    /// A `sql` feed as the csv decoder reads its rows: each row a CSV line of the mapped
    /// columns (``SQLPollSettings/csvLine(_:)``), named by a `header` of those columns.
    var sqlRowsAsCSV: FeedConfig {
        var feed = self
        if let sql = sqlPoll { feed.options = sql.csvOptions(from: options) }
        return feed
    }
}
