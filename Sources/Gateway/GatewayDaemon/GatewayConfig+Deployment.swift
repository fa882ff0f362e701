import Configuration
import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension GatewayConfig {
    /// What a valid file can still get wrong on the machine it runs on (issue 17, item 7): a
    /// password file that is missing or unreadable, a spool folder that is missing (the daemon
    /// would create it, and a sender writing to the folder meant would never be read) or that
    /// this user cannot write (files are moved to `done/` and `rejected/` inside it). Each
    /// problem names the file, the key and, for a feed, the feed; relative paths resolve against
    /// the current directory, as the daemon resolves them. `check-config` prints them as
    /// warnings, as errors with `--strict`, and not at all with `--skip-files`.
    public func deploymentProblems(configPath: String) -> [String] {
        var problems: [String] = []
        let secrets = [("database.password_file", database.passwordFile), ("mqtt.password_file", mqtt.passwordFile)]
        for case (let key, let path?) in secrets {
            if let reason = Self.unreadableFile(path) {
                problems.append("\(configPath): \(key): \(path): \(reason)")
            }
        }
        for feed in feeds where feed.transport == .spoolDir {
            guard let path = feed.path, let reason = Self.unusableSpoolFolder(path) else { continue }
            problems.append("\(configPath): feed \(feed.name): path: \(path): \(reason)")
        }
        return problems
    }

    /// Why the file at `path` cannot be read by this user, or nil when it can.
    private static func unreadableFile(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "no such file (relative paths start at the current directory, \(currentDirectory))"
        }
        if isDirectory.boolValue { return "is a folder, not a file" }
        return access(path, R_OK) == 0 ? nil : "this user (\(userName)) cannot read it"
    }

    /// Why the daemon could not use `path` as its spool folder, or nil when it can.
    private static func unusableSpoolFolder(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            return "no such folder (relative paths start at the current directory, \(currentDirectory)); "
                + "create it where the sender writes, or correct the path"
        }
        guard isDirectory.boolValue else { return "not a folder" }
        guard access(path, R_OK | W_OK | X_OK) == 0 else {
            return "this user (\(userName)) cannot read and write it "
                + "(files are read there and moved to done/ and rejected/ inside it)"
        }
        return nil
    }

    private static var currentDirectory: String { FileManager.default.currentDirectoryPath }

    private static var userName: String {
        guard let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name else { return "uid \(geteuid())" }
        return String(cString: name)
    }
}
