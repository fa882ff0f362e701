/// Runs `body` with a daemon of its own: a fresh database (owned by `flightedge`), a
/// configuration with the `aodb` tcp-listen feed, the `drop` spool feed and `extraFeeds`, and
/// the daemon started and ready (unless `start` is false: then `body` starts it, after setting
/// up what must exist first, such as a subscriber). Afterwards, also when `body` throws, the
/// daemon is stopped (SIGTERM, as ``DaemonProcess/stop(timeout:)``) if it still runs, its
/// notify socket closed and the database dropped. Its folder stays, with its log, for a look
/// after a failure.
///
/// The parameters are those of ``DaemonProcess/init(databaseURL:extraFeeds:stateQoS:maxFrameBytes:mqttPort:airport:clientID:folder:binary:logLevel:systemdNotify:)``.
public func withDaemon<Result>(
    extraFeeds: String = "", stateQoS: Int = 1, maxFrameBytes: Int = 1_048_576, mqttPort: Int? = nil,
    airport: String? = nil, start: Bool = true, _ body: (DaemonProcess) async throws -> Result
) async throws -> Result {
    try await TestServices.withTemporaryDatabase { url in
        let daemon = try DaemonProcess(
            databaseURL: url, extraFeeds: extraFeeds, stateQoS: stateQoS, maxFrameBytes: maxFrameBytes, mqttPort: mqttPort,
            airport: airport)
        defer { daemon.close() }
        if start { try daemon.start() }
        return try await body(daemon)
    }
}
