import Foundation

/// Reading a configuration file, with the reason an operator can act on when it cannot be read.
enum ConfigurationFile {
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
