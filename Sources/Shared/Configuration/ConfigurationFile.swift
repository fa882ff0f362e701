import Foundation

/// Reading a configuration file, with the reason an operator can act on when it cannot be read,
/// and parsing it: syntax first (every broken line), then the program's tables.
enum ConfigurationFile {
    /// The TOML syntax errors of `text`, or what `load` makes of its tables with every problem it
    /// reported; `source` names the text in errors.
    static func parse<Config>(
        _ text: String, source: String, load: (ConfigLoader, TOMLTable) -> Config?
    ) throws(ConfigurationErrors) -> Config {
        let (table, syntaxErrors) = TOMLParser.parseRecovering(text)
        guard syntaxErrors.isEmpty else {
            throw ConfigurationErrors(
                syntaxErrors.map { ConfigurationError(source: source, line: $0.line, key: "", message: $0.message) })
        }
        let loader = ConfigLoader(source: source)
        let config = load(loader, table)
        guard let config, loader.errors.isEmpty else { throw ConfigurationErrors(loader.errors) }
        return config
    }

    static func text(at path: String) throws(ConfigurationErrors) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let reason =
                if !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
                    "no such file"
                } else if isDirectory.boolValue {
                    "is a directory, not a configuration file"
                } else {
                    "cannot read the file (permissions?)"
                }
            throw ConfigurationErrors([ConfigurationError(source: path, line: nil, key: "", message: reason)])
        }
        guard let text = String(validating: data, as: UTF8.self) else {
            throw ConfigurationErrors([
                ConfigurationError(source: path, line: nil, key: "", message: "the file is not UTF-8 text")
            ])
        }
        return text
    }
}
