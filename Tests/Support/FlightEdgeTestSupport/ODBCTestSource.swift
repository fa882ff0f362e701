import Foundation

/// How the tests reach the test PostgreSQL through unixODBC and Debian's psqlODBC driver
/// (`odbc-postgresql`, which `scripts/setup` installs and registers as "PostgreSQL Unicode").
/// The driver is named by its file when the registration is missing (a root-less install).
public enum ODBCTestSource {
    /// The psqlODBC Unicode driver: its registered name, or its file.
    public static var driver: String {
        let file = "/usr/lib/x86_64-linux-gnu/odbc/psqlodbcw.so"
        let registered = (try? String(contentsOfFile: "/etc/odbcinst.ini", encoding: .utf8))?.contains("[PostgreSQL Unicode]") ?? false
        return registered || !FileManager.default.fileExists(atPath: file) ? "PostgreSQL Unicode" : file
    }

    /// The ODBC connection string of `database` on the test PostgreSQL, as user `flightedge`
    /// (no password on loopback).
    public static func connectionString(database: String) throws -> String {
        "Driver={\(driver)};Server=127.0.0.1;Port=\(try TestServices.postgresPort);Database=\(database);UID=flightedge"
    }

    /// The database name at the end of a `postgresql://…/name` URL.
    public static func databaseName(of url: String) -> String {
        String(url.split(separator: "/").last ?? "")
    }
}
