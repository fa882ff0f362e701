import Configuration
import FeedFormats
import FeedIngest

extension GatewayConfig {
    /// Loads the file at `path` and sets up every feed's decoder and TLS once, so what a decoder
    /// judges (a CSV mapping, a time pattern) and the certificate files are checked too: what
    /// `check-config` reports and what a reload accepts. Every problem is returned, each naming the file and the key.
    public static func loadChecked(path: String) -> Result<GatewayConfig, CheckedConfigProblems> {
        let loaded: GatewayConfig
        do {
            loaded = try GatewayConfig.load(path: path)
        } catch {
            let names = FeedTableNames(path: path)
            return .failure(CheckedConfigProblems(path: path, problems: error.errors.map(names.describe)))
        }
        let problems = loaded.feeds.compactMap { feed -> String? in
            do {
                _ = try DecoderCatalog.decoder(for: feed, airport: loaded.airport)
                try FeedTLSContext.check(feed)
                try PullFeedCatalog.check(feed)
                return nil
            } catch {
                return "\(path): feed \(feed.name): \(error)"
            }
        }
        return problems.isEmpty ? .success(loaded) : .failure(CheckedConfigProblems(path: path, problems: problems))
    }
}

/// Why a configuration file was refused: one line per problem.
public struct CheckedConfigProblems: Error, Sendable, CustomStringConvertible {
    public var path: String
    public var problems: [String]

    /// One problem per line, then the count.
    public var description: String {
        (problems + ["\(path): \(problems.count) error(s)"]).joined(separator: "\n")
    }
}
