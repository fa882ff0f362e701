import Logging
import Postgres
import Timing

/// Opens PostgreSQL connections for a daemon (the gateway's writer, the relay's intake and dispatch), waiting out an outage: it retries with capped
/// exponential backoff and logs the outage once and the recovery once, not every attempt.
public struct DatabaseConnector: Sendable {
    public var conninfo: String
    public var password: String?
    public var logger: Logger

    public init(conninfo: String, password: String?, logger: Logger) {
        self.conninfo = conninfo
        self.password = password
        self.logger = logger
    }

    /// One attempt.
    public func connect() throws(PostgresError) -> PostgresConnection {
        try PostgresConnection(conninfo: conninfo, password: password)
    }

    /// Connects, retrying until it succeeds or the task is cancelled.
    public func connectWithRetry() async throws -> PostgresConnection {
        var backoff = RetryBackoff()
        while true {
            do {
                let connection = try connect()
                if backoff.failures > 0 {
                    logger.notice("PostgreSQL reachable again", metadata: ["attempts": "\(backoff.failures + 1)"])
                }
                return connection
            } catch {
                if backoff.failures == 0 {
                    logger.error("PostgreSQL unreachable; retrying with backoff", metadata: ["error": "\(error)"])
                }
                try await Task.sleep(for: backoff.nextDelay())
            }
        }
    }
}
