import Foundation
import Logging

/// Writes one line per log record to standard error.
///
/// Under systemd (`JOURNAL_STREAM` set) each line starts with the syslog priority `<N>`, which
/// journald turns into the record's priority, and carries no timestamp (journald adds one).
/// In a terminal each line starts with the UTC time and the level.
///
/// Every part of a line that can come from outside — the message, metadata keys and values —
/// has its control characters escaped (``LogText``), so one record is always one line and
/// nothing can forge a record or its priority. Lines repeated at warning and above are
/// rate-limited (``LogRateLimit``: 10 per message per 10 s, then one "suppressed N" line).
/// `FLIGHTEDGE_LOG_FORMAT=json` writes each record as one JSON object instead (``LogFormat``).
public struct ConsoleLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let forJournal: Bool
    private let limit: LogRateLimit?
    private let format: LogFormat
    private let write: @Sendable (String) -> Void

    /// To standard error, in the format `FLIGHTEDGE_LOG_FORMAT` names (text when it names none
    /// it knows).
    public init(label: String, level: Logger.Level = .info) {
        let environment = ProcessInfo.processInfo.environment
        self.init(
            label: label, level: level, forJournal: environment["JOURNAL_STREAM"] != nil, limit: .shared,
            format: LogFormat.from(environment: environment) ?? .text
        ) { line in FileHandle.standardError.write(Data(line.utf8)) }
    }

    /// A handler that hands each finished line (with its newline) to `write`.
    public init(
        label: String, level: Logger.Level = .info, forJournal: Bool, limit: LogRateLimit?, format: LogFormat = .text,
        write: @escaping @Sendable (String) -> Void
    ) {
        self.label = label
        self.logLevel = level
        self.forJournal = forJournal
        self.limit = limit
        self.format = format
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let message = event.message.description
        if let limit, event.level >= .warning {
            let (admitted, summaries) = limit.admit(level: "\(event.level)", message: message, now: Self.monotonicNow())
            for summary in summaries {
                let level = Logger.Level(rawValue: summary.level) ?? .warning
                let text = "suppressed \(summary.count) repeated log lines: "
                write(
                    format == .json
                        ? jsonLine(level, text + summary.message, [])
                        : prefix(level) + text + LogText.escaped(summary.message) + "\n")
            }
            guard admitted else { return }
        }
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        if format == .json {
            write(jsonLine(event.level, message, merged.keys.sorted().map { ($0, "\(merged[$0]!)") }))
            return
        }
        var line = prefix(event.level) + LogText.escaped(message)
        for key in merged.keys.sorted() {
            line += " \(LogText.escaped(key))=\(LogText.escaped("\(merged[key]!)"))"
        }
        line += "\n"
        write(line)
    }

    /// A JSON record with its newline, after the journal's priority when under systemd.
    private func jsonLine(_ level: Logger.Level, _ message: String, _ metadata: [(key: String, value: String)]) -> String {
        let json = LogFormat.jsonLine(
            time: Self.timestamp(), level: "\(level)", label: label, message: message, metadata: metadata)
        return (forJournal ? "<\(Self.syslogPriority(level))>" : "") + json + "\n"
    }

    private func prefix(_ level: Logger.Level) -> String {
        forJournal ? "<\(Self.syslogPriority(level))>" : "\(Self.timestamp()) \(level) "
    }

    private static func monotonicNow() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
    }

    private static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    private static func timestamp() -> String {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var time = now.tv_sec
        var parts = tm()
        gmtime_r(&time, &parts)
        let milliseconds = now.tv_nsec / 1_000_000
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, milliseconds)
    }
}
