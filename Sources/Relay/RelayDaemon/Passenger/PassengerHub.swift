import Foundation
import JSON
import Logging
import NIOCore
import RelayStore
import Synchronization

/// The passenger pages' live side: every open stream (`/flights/stream`, `/manage/{id}/stream`)
/// watches one flight number and date, and a personal page's also its subscription's timeline.
///
/// Changes come from PostgreSQL (``PassengerChangeFeed``: `NOTIFY` from any relay instance's
/// commit), never from polling. On a change of a watched flight or subscription the hub reads
/// the current state once and sends it to every stream watching it. Each event carries the
/// whole part it is about (the flight's cards, or the timeline), so an event id names a state:
/// a browser that reconnects with `Last-Event-ID` gets nothing when it is up to date, else the
/// snapshot. A heartbeat every 15 s; a stream whose buffer is full is ended (its browser
/// reconnects and gets the snapshot).
final class PassengerHub: Sendable {
    static let heartbeatInterval = Duration.seconds(15)
    static let retryMilliseconds = 2000
    static let bufferedEvents = 64

    /// A flight number on a date: what a stream watches.
    struct FlightKey: Hashable, Sendable {
        var airline: String
        var number: String
        var date: String

        /// True for the flight ids of this key (`LX1234-20261124-D`, `LX1234A-…` for a suffix).
        func matches(flightID: String) -> Bool {
            let parts = flightID.split(separator: "-")
            guard parts.count == 3, parts[1] == date.replacingOccurrences(of: "-", with: "") else { return false }
            let designator = parts[0]
            let stem = airline + number
            // An operational suffix is one letter (`LX1234A`); `LX12345` is another flight.
            return designator == stem
                || (designator.hasPrefix(stem) && designator.count == stem.count + 1 && designator.last?.isLetter == true)
        }
    }

    private struct Stream {
        var continuation: AsyncStream<ByteBuffer>.Continuation
        var key: FlightKey
        var subscription: (id: String, timeZone: String?)?
        var flights: String
        var timeline: String
        var id: String { PassengerHub.stateID(flights, timeline) }
    }

    private struct Streams {
        var open: [Int: Stream] = [:]
        var next = 0
        var closed = false
    }

    private let streams = Mutex(Streams())
    private let store: RelayStore
    private let logger: Logger

    init(store: RelayStore, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    // MARK: - For the routes

    /// The stream of one page: the reconnection delay, the current state unless `lastEventID`
    /// names it, then every change, until the browser leaves or the relay stops.
    func open(_ key: FlightKey, subscription: (id: String, timeZone: String?)?, lastEventID: String?) async throws
        -> AsyncStream<ByteBuffer>
    {
        let (stream, continuation) = AsyncStream.makeStream(of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(Self.bufferedEvents))
        continuation.yield(ByteBuffer(bytes: Array("retry: \(Self.retryMilliseconds)\n\n".utf8)))
        // Watching before reading: a change committed meanwhile is sent, never missed.
        let number: Int? = streams.withLock { streams -> Int? in
            guard !streams.closed else { return nil }
            streams.next += 1
            streams.open[streams.next] = Stream(continuation: continuation, key: key, subscription: subscription, flights: "", timeline: "")
            return streams.next
        }
        guard let number else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            _ = self?.streams.withLock { $0.open.removeValue(forKey: number) }
        }
        let flights: String
        var timeline = ""
        do {
            flights = try await flightsPart(key)
            if let subscription { timeline = try await timelinePart(subscription) }
        } catch {
            continuation.finish()
            throw error
        }
        streams.withLock { streams in
            guard var opened = streams.open[number] else { return }
            // A part a change already sent is as new as this read, or newer: kept.
            if opened.flights.isEmpty { opened.flights = flights }
            if subscription != nil, opened.timeline.isEmpty { opened.timeline = timeline }
            streams.open[number] = opened
            guard lastEventID != opened.id else { return }
            var snapshot = PassengerStreamEvent.event("flight", id: opened.id, data: opened.flights)
            if subscription != nil { snapshot += PassengerStreamEvent.event("timeline", id: opened.id, data: opened.timeline) }
            continuation.yield(ByteBuffer(bytes: snapshot))
        }
        return stream
    }

    /// The id of the state a page was rendered with (its first stream connection sends it).
    func stateID(_ key: FlightKey, subscription: (id: String, timeZone: String?)?) async throws -> String {
        let flights = try await flightsPart(key)
        var timeline = ""
        if let subscription { timeline = try await timelinePart(subscription) }
        return Self.stateID(flights, timeline)
    }

    // MARK: - The hub's own task

    /// Follows `changes` and sends the heartbeat until cancelled; then every stream ends.
    func run(changes: AsyncStream<PassengerChange>) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                for await change in changes {
                    do { try await apply(change) } catch {
                        logger.warning("cannot read a passenger page's state", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.addTask { [self] in
                while (try? await Task.sleep(for: Self.heartbeatInterval)) != nil {
                    var writer = JSONWriter()
                    writer.beginObject()
                    writer.field("now", Int64(Date().timeIntervalSince1970 * 1000))
                    writer.endObject()
                    let beat = ByteBuffer(bytes: PassengerStreamEvent.comment("heartbeat") + PassengerStreamEvent.event("status", data: writer.string))
                    send { _ in beat }
                }
            }
            await group.next()
            group.cancelAll()
        }
        let open = streams.withLock { streams in
            streams.closed = true
            defer { streams.open.removeAll() }
            return Array(streams.open.values)
        }
        for stream in open { stream.continuation.finish() }
    }

    private func apply(_ change: PassengerChange) async throws {
        let watched = streams.withLock { streams in
            (
                keys: Set(streams.open.values.map(\.key)),
                subscriptions: Dictionary(
                    streams.open.values.compactMap { $0.subscription.map { ($0.id, $0.timeZone) } }, uniquingKeysWith: { a, _ in a })
            )
        }
        // What to read again: the streams this change concerns (all of them after a resync).
        let keys: Set<FlightKey>
        let subscriptions: [String: String?]
        switch change {
        case .flight(let id, _): (keys, subscriptions) = (watched.keys.filter { $0.matches(flightID: id) }, [:])
        case .subscription(let id): (keys, subscriptions) = ([], watched.subscriptions.filter { $0.key == id })
        case .resync: (keys, subscriptions) = watched
        }
        for key in keys {
            let part = try await flightsPart(key)
            replace(\.flights, with: part, event: "flight") { $0.key == key }
        }
        for (id, zone) in subscriptions {
            let part = try await timelinePart((id, zone))
            replace(\.timeline, with: part, event: "timeline") { $0.subscription?.id == id }
        }
    }

    /// Gives every stream `concerns` selects the new `part`, and sends it to those that did not have it.
    private func replace(
        _ part: WritableKeyPath<Stream, String>, with data: String, event: String, where concerns: (Stream) -> Bool
    ) {
        var ended: [AsyncStream<ByteBuffer>.Continuation] = []
        streams.withLock { streams in
            for (number, stream) in streams.open where concerns(stream) && stream[keyPath: part] != data {
                var updated = stream
                updated[keyPath: part] = data
                streams.open[number] = updated
                let bytes = ByteBuffer(bytes: PassengerStreamEvent.event(event, id: updated.id, data: data))
                if case .enqueued = updated.continuation.yield(bytes) { continue }
                streams.open.removeValue(forKey: number)
                ended.append(updated.continuation)
            }
        }
        for continuation in ended { continuation.finish() }
    }

    private func send(_ event: (Stream) -> ByteBuffer) {
        var ended: [AsyncStream<ByteBuffer>.Continuation] = []
        streams.withLock { streams in
            for (number, stream) in streams.open {
                if case .enqueued = stream.continuation.yield(event(stream)) { continue }
                streams.open.removeValue(forKey: number)
                ended.append(stream.continuation)
            }
        }
        for continuation in ended { continuation.finish() }
    }

    // MARK: - The parts a page shows

    /// `{"flights":[{"id","html"}]}`: the flight's cards, as the page renders them.
    private func flightsPart(_ key: FlightKey) async throws -> String {
        let flights = try await store.flights(airline: key.airline, number: key.number, date: key.date)
        var writer = JSONWriter()
        writer.beginObject()
        writer.key("flights")
        writer.beginArray()
        for flight in flights {
            writer.beginObject()
            writer.field("id", flight.flightID)
            writer.field("html", FlightCard.html(flight))
            writer.endObject()
        }
        writer.endArray()
        writer.endObject()
        return writer.string
    }

    /// `{"html": "<ol …>"}`: the timeline, as the personal page renders it.
    private func timelinePart(_ subscription: (id: String, timeZone: String?)) async throws -> String {
        let deliveries = try await store.deliveries(subscription: subscription.id)
        var writer = JSONWriter()
        writer.beginObject()
        writer.field("html", PassengerPages.timeline(deliveries, timeZone: subscription.timeZone))
        writer.endObject()
        return writer.string
    }

    /// A short name of a state (FNV-1a, 64 bits): equal states, equal ids, on every instance.
    static func stateID(_ flights: String, _ timeline: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in flights.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        hash = (hash ^ 0x1f) &* 0x100_0000_01b3
        for byte in timeline.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return String(hash, radix: 36)
    }
}
