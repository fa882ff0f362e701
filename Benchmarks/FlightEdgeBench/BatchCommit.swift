import FeedFormats
import FlightModel
import Foundation
import HistoryStore
import Logging
import PostgresSupport

/// `HistoryWriter.commit` alone, on a fresh database: batches shaped like the ones a burst
/// makes (history rows, the flights they touch with their state payloads, the events), built
/// from the simulated day before the clock starts.
enum BatchCommit {
    struct Result {
        var historyRows: Int
        var seconds: Double
        var batches: Int
        /// The mean batch.
        var rowsPerBatch: (history: Int, flights: Int, events: Int)
        var historyRowsPerSecond: Double { Double(historyRows) / seconds }
        var meanMilliseconds: Double { 1000 * seconds / Double(batches) }
    }

    static func run(_ environment: BenchEnvironment, day lines: [String], framesPerBatch: Int = 4000) async throws -> Result {
        let batches = makeBatches(day: lines, framesPerBatch: framesPerBatch)
        let url = try environment.freshDatabase("fe_bench_commit")
        var logger = Logger(label: "flightedge-bench")
        logger.logLevel = .warning
        let writer = HistoryWriter(connector: DatabaseConnector(conninfo: url, password: nil, logger: logger), logger: logger)
        _ = try await writer.start()
        let started = now()
        for batch in batches { _ = try await writer.commit(batch) }
        let seconds = now() - started
        func mean(_ rows: (CommitBatch) -> Int) -> Int { batches.reduce(0) { $0 + rows($1) } / max(1, batches.count) }
        return Result(
            historyRows: batches.reduce(0) { $0 + $1.changes.count }, seconds: seconds, batches: batches.count,
            rowsPerBatch: (mean { $0.changes.count }, mean { $0.flights.count }, mean { $0.outbox.count }))
    }

    /// The day merged as the pipeline merges it, cut every `framesPerBatch` frames into the rows
    /// the pipeline would commit: every change, each touched flight's last state, every event.
    private static func makeBatches(day lines: [String], framesPerBatch: Int) -> [CommitBatch] {
        let context = PayloadContext(airport: "BEN", zone: ZoneRules.named("Europe/Zurich") ?? .utc)
        let frameContext = FrameContext(
            feed: "aodb", receivedAt: Timestamp(millisecondsSinceEpoch: 1_795_500_000_000))
        let received = frameContext.receivedAt.millisecondsSinceEpoch
        var engine = StateEngine(airport: "ZRH")
        var batches: [CommitBatch] = []
        var batch = CommitBatch()
        var touched: [String: FlightState] = [:]
        func close() {
            for state in touched.values {
                batch.flights.append(CommitBatch.FlightRow(benchState: state, context: context))
            }
            batches.append(batch)
            batch = CommitBatch()
            touched = [:]
        }
        for (index, line) in lines.enumerated() {
            guard let update = try? JSONLinesDecoder().decode(Array(line.utf8), context: frameContext).first,
                let applied = engine.apply(update, receivedAt: frameContext.receivedAt)
            else { continue }
            let state = applied.state
            touched[state.key.flightID] = state
            for change in applied.changes {
                batch.appendChange(
                    flightID: state.key.flightID, seq: state.seq, field: change.field.name, oldJSON: change.old?.json,
                    newJSON: change.new?.json, feed: change.feed, sourceTime: update.sourceTime?.millisecondsSinceEpoch, receivedAt: received)
            }
            for event in applied.events {
                batch.outbox.append(CommitBatch.OutboxRow(
                    eventID: event.eventID, flightID: event.flightID, topic: "flightedge/BEN/events/\(event.kind.rawValue)",
                    payload: EventPayload.encode(
                        event, state: state, feed: update.feed, position: "bench@0", observedAt: frameContext.receivedAt,
                        context: context)))
            }
            if (index + 1) % framesPerBatch == 0 { close() }
        }
        if !batch.changes.isEmpty { close() }
        return batches
    }
}
