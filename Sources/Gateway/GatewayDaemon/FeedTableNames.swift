import Configuration
import Foundation

/// The names the `[[feeds]]` tables of a configuration file give themselves, read from the file
/// as written (it may be invalid), so that an error about `feeds[1].framing` can say which
/// feed that is: `feeds[1].framing (feed "fids-drop")` (issue 17, item 7).
struct FeedTableNames {
    private let names: [Int: String]

    /// Reads the file at `path`; a file that cannot be read or parsed names no feed.
    init(path: String) {
        guard let data = FileManager.default.contents(atPath: path) else {
            names = [:]
            return
        }
        let table = TOMLParser.parseRecovering(String(decoding: data, as: UTF8.self)).table
        var names: [Int: String] = [:]
        if case .array(let feeds)? = table["feeds"]?.value {
            for (index, node) in feeds.enumerated() {
                if case .table(let feed) = node.value, case .string(let name)? = feed["name"]?.value, !name.isEmpty {
                    names[index] = name
                }
            }
        }
        self.names = names
    }

    /// `error`'s description, with the feed's name after its key when the key is in a
    /// `[[feeds]]` table that has one.
    func describe(_ error: ConfigurationError) -> String {
        guard error.key.hasPrefix("feeds["), let close = error.key.firstIndex(of: "]"),
            let index = Int(error.key[error.key.index(error.key.startIndex, offsetBy: 6)..<close]),
            let name = names[index]
        else { return error.description }
        var named = error
        named.key = "\(error.key) (feed \"\(name)\")"
        return named.description
    }
}
