import Configuration

#if canImport(Glibc)
import Glibc
#endif

extension GatewayConfig {
    /// What ssh would complain about (issue 18, item 9): a configuration file others can
    /// write (whoever writes it controls the daemon) and secret files — passwords, private
    /// keys — others can read or write. Each warning names the file, its mode and the fix;
    /// `check-config` prints them and the daemon logs them at start. A missing file is not a
    /// permissions matter (reading it fails, with its own message).
    public func permissionWarnings(configPath: String) -> [String] {
        var warnings: [String] = []
        if let mode = Self.mode(of: configPath), mode & 0o022 != 0 {
            warnings.append(
                "\(configPath): writable by \(mode & 0o002 != 0 ? "every user" : "its group") (mode \(Self.octal(mode))): "
                    + "whoever can write it controls the daemon; chmod go-w \(configPath)")
        }
        var secrets: [(key: String, path: String)] = []
        if let path = database.passwordFile { secrets.append(("database.password_file", path)) }
        if let path = mqtt.passwordFile { secrets.append(("mqtt.password_file", path)) }
        if let path = mqtt.keyFile { secrets.append(("mqtt.key_file", path)) }
        for feed in feeds {
            if let path = feed.tls?.keyFile { secrets.append(("feeds \(feed.name): tls_key_file", path)) }
            for (key, path) in feed.pullSecretFiles { secrets.append(("feeds \(feed.name): \(key)", path)) }
        }
        for (key, path) in secrets {
            guard let mode = Self.mode(of: path), mode & 0o007 != 0 else { continue }
            warnings.append(
                "\(configPath): \(key): \(path) is \(mode & 0o002 != 0 ? "writable" : "readable") by every user "
                    + "(mode \(Self.octal(mode))): chmod o-rwx \(path) (0640 with the daemon's group, or 0600)")
        }
        return warnings
    }

    /// The permission bits of `path` (following links, as the daemon's open does); nil when
    /// it cannot be looked at.
    private static func mode(of path: String) -> mode_t? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return status.st_mode & 0o777
    }

    private static func octal(_ mode: mode_t) -> String {
        let digits = String(mode, radix: 8)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
