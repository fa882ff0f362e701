import FlightModel
import HistoryStore
import Logging
import Prometheus
import Publisher
import ServiceLifecycle

/// Answers replay requests (`cmd/replay`, docs/MQTT.md): one at a time, in the order they came,
/// the requested events are read from the outbox a page at a time and published again,
/// unchanged, through the publisher's in-flight window (the next page is read only once the
/// last one is with the broker). A request that is not valid is logged with the member at fault
/// and counted; nothing a request says can stop the gateway.
///
/// Runs until the stop, which it reaches before the publisher's: a replay under way ends there
/// (the requester asks again if it still misses events).
struct ReplayService: Service {
    let publisher: OutboxPublisher
    let writer: HistoryWriter
    let metrics: ReplayMetrics
    let logger: Logger
    /// Outbox rows read and handed over at once.
    var pageSize = 1000

    func run() async throws {
        await cancelWhenGracefulShutdown {
            for await payload in publisher.replayRequests {
                await answer(payload)
            }
        }
    }

    func answer(_ payload: [UInt8]) async {
        let request: ReplayRequest
        do {
            request = try ReplayRequest.parse(payload)
        } catch {
            metrics.refusedRequests.increment()
            logger.warning(
                "replay request refused",
                metadata: [
                    "field": "\(error.field ?? "-")", "reason": "\(error.reason)",
                    "payload": "\(String(decoding: payload.prefix(200), as: UTF8.self))",
                ])
            return
        }
        metrics.requests.increment()
        logger.info("replay requested", metadata: ["from": "\(request.from)", "to": "\(request.to)"])
        do {
            let sent = try await republish(request)
            guard !Task.isCancelled else {
                logger.notice("replay cut short by the stop", metadata: ["from": "\(request.from)", "sent": "\(sent)"])
                return
            }
            let asked = request.count
            if sent < asked { try await reportMissing(request, asked: asked, sent: sent) }
            logger.info(
                "replay done", metadata: ["from": "\(request.from)", "to": "\(request.to)", "events": "\(sent)"])
        } catch is CancellationError {
            return
        } catch {
            logger.error(
                "replay failed; the requester may ask again",
                metadata: ["from": "\(request.from)", "to": "\(request.to)", "error": "\(error)"])
        }
    }

    /// Publishes the retained events of `request` again, page by page; returns how many.
    private func republish(_ request: ReplayRequest) async throws -> Int64 {
        var after = request.from - 1
        var sent: Int64 = 0
        while !Task.isCancelled {
            let page = try await writer.retainedEvents(in: request.range, after: after, limit: pageSize)
            guard let last = page.last else { break }
            let messages = page.map { event in
                OutgoingMessage(
                    topic: event.topic, payload: event.payload, qos: event.qos, retain: event.retain,
                    eventID: event.eventID, schema: event.eventID == nil ? nil : EventPayload.schema)
            }
            guard await publisher.replay(messages) else { break }
            sent += Int64(page.count)
            metrics.replayedEvents.increment(by: Int64(page.count))
            after = last.streamSeq
            if page.count < pageSize || after >= request.to { break }
        }
        return sent
    }

    /// Says which of the requested events the outbox does not hold, and why it may be.
    private func reportMissing(_ request: ReplayRequest, asked: Int64, sent: Int64) async throws {
        metrics.missingEvents.increment(by: asked - sent)
        let bounds = try await writer.eventStreamBounds()
        metrics.lastStreamSeq.set(Double(bounds.lastAssigned))
        let retained = bounds.retained.map { "\($0.lowerBound)...\($0.upperBound)" } ?? "none"
        logger.warning(
            "replay: some requested events are not in the outbox (deleted after the retention window, or not given yet)",
            metadata: [
                "from": "\(request.from)", "to": "\(request.to)", "missing": "\(asked - sent)",
                "retained": "\(retained)", "last_stream_seq": "\(bounds.lastAssigned)",
            ])
    }
}
