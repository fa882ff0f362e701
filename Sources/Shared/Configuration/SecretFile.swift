import Foundation

/// Reads a password from a file named in the configuration, or from a systemd credential
/// (`LoadCredential=NAME:…` puts it in `$CREDENTIALS_DIRECTORY/NAME`). The value is never logged.
public enum SecretFile {
    /// A secret that could not be read, naming the file but never the content.
    public struct ReadError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot read secret file \(path): \(reason)" }
    }

    /// The secret from `path` if given, else from the credential `credential`, else nil.
    /// One trailing newline is removed, as `echo secret > file` leaves one.
    public static func read(path: String?, credential: String) throws(ReadError) -> String? {
        let candidate: String
        if let path {
            candidate = path
        } else if let directory = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"],
            FileManager.default.fileExists(atPath: "\(directory)/\(credential)")
        {
            candidate = "\(directory)/\(credential)"
        } else {
            return nil
        }
        guard let data = FileManager.default.contents(atPath: candidate) else {
            let reason = FileManager.default.fileExists(atPath: candidate) ? "permission denied" : "no such file"
            throw ReadError(path: candidate, reason: reason)
        }
        var text = String(decoding: data, as: UTF8.self)
        if text.hasSuffix("\r\n") { text.removeLast(2) } else if text.hasSuffix("\n") { text.removeLast() }
        return text
    }
}
