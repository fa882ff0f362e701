/// `[boards]`: the airport boards served on the `[http]` listener (`/board/...`).
public struct BoardsConfig: Sendable, Equatable {
    /// The languages a board can speak.
    public static let knownLanguages = ["en", "de", "fr", "it"]

    /// `languages`: what every board shows, alternating, first one first; each one of
    /// ``knownLanguages``, no repeats; default `["en"]`.
    public var languages: [String]

    /// The default is that of the configuration file.
    public init(languages: [String] = ["en"]) {
        self.languages = languages
    }
}

extension ConfigLoader {
    func loadBoards(_ table: TOMLTable?) -> BoardsConfig {
        var reader = TableReader(table: table ?? TOMLTable(line: 0), path: "boards", section: "[boards]", loader: self)
        let languages = reader.strings("languages") { index, language, earlier in
            if !BoardsConfig.knownLanguages.contains(language) {
                return "unknown language \"\(language)\" (expected one of: \(BoardsConfig.knownLanguages.joined(separator: ", ")))"
            }
            return earlier.prefix(index).contains(language) ? "\"\(language)\" is listed twice" : nil
        }
        if let languages, languages.isEmpty, let line = reader.line(of: "languages") {
            report(line, "boards.languages", "must name at least one language, e.g. [\"en\"]")
        }
        reader.finish()
        return BoardsConfig(languages: languages.flatMap { $0.isEmpty ? nil : $0 } ?? ["en"])
    }
}

extension TableReader {
    /// An array of strings; `check(index, value, all)` returns what is wrong with one element.
    /// `nil` when the key is absent or not an array.
    mutating func strings(_ key: String, check: (Int, String, [String]) -> String? = { _, _, _ in nil }) -> [String]? {
        guard let node = lookUpKey(key) else { return nil }
        let name = path.isEmpty ? key : "\(path).\(key)"
        guard case .array(let elements) = node.value else {
            loader.report(node.line, name, "expected an array of strings, found \(node.value.kindName)")
            return nil
        }
        let all = elements.compactMap { element -> String? in
            if case .string(let text) = element.value { text } else { nil }
        }
        var result: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element.value else {
                loader.report(element.line, "\(name)[\(index)]", "expected a string, found \(element.value.kindName)")
                continue
            }
            if let problem = check(index, text, all) {
                loader.report(element.line, "\(name)[\(index)]", problem)
                continue
            }
            result.append(text)
        }
        return result
    }
}
