import Foundation
import Logging
import Postgres
import PostgresSupport
import Synchronization
import Timing

/// A change a passenger page may show, as announced on ``RelaySchema/passengerChannel`` by any
/// relay instance's commit.
public enum PassengerChange: Sendable, Equatable {
    /// A flight's state changed (an event of it was recorded): its id and new version.
    case flight(id: String, version: Int64)
    /// One of a subscription's deliveries was added or changed state.
    case subscription(id: String)
    /// The listening connection was (re)made: what happened meanwhile was not announced, so
    /// everything watched should be read again.
    case resync

    /// Reads a notification's payload: `flight {id} {version}`, `subscription {id}` (one
    /// subscription), or `subscriptions {id} {id} …` (several, as the dispatcher and the trigger on
    /// new deliveries send them: one notification per batch, not one per delivery). Nothing for a
    /// payload it cannot read.
    ///
    /// Reads bytes, not `Character`s: every instance reads every notification of every instance,
    /// and `String.split` (grapheme breaking) was 1–6 % of a relay's CPU samples in the relay
    /// benchmark when each delivery was a notification of its own.
    public static func changes(payload: String) -> [PassengerChange] {
        let words = payload.utf8.split(separator: UInt8(ascii: " "))
        guard let kind = words.first else { return [] }
        let text = { (index: Int) in String(Substring(words[index])) }
        if kind.elementsEqual("subscriptions".utf8) {
            return (1..<words.count).map { .subscription(id: text($0)) }
        }
        if kind.elementsEqual("subscription".utf8), words.count == 2 {
            return [.subscription(id: text(1))]
        }
        if kind.elementsEqual("flight".utf8), words.count == 3, let version = Int64(text(2)) {
            return [.flight(id: text(1), version: version)]
        }
        return []
    }

    /// The largest `NOTIFY` payload PostgreSQL takes is 8,000 bytes; ids are packed below this.
    public static let payloadLimit = 7_900

    /// `subscriptions {id} {id} …` payloads for `ids`, each within ``payloadLimit`` bytes.
    public static func payloads(subscriptions ids: some Sequence<String>) -> [String] {
        let prefix = "subscriptions"
        var payloads: [String] = []
        var current = prefix
        for id in ids {
            if current.utf8.count + 1 + id.utf8.count > payloadLimit, current != prefix {
                payloads.append(current)
                current = prefix
            }
            current += " " + id
        }
        if current != prefix { payloads.append(current) }
        return payloads
    }
}

/// Listens on ``RelaySchema/passengerChannel`` on a connection and a thread of its own (the wait
/// blocks in `poll(2)`), and hands each change to ``changes``. A broken connection is made
/// again with backoff, followed by a ``PassengerChange/resync``.
public final class PassengerChangeFeed: Sendable {
    /// The changes, in the order they were committed; ends after ``stop()``.
    public let changes: AsyncStream<PassengerChange>
    private let continuation: AsyncStream<PassengerChange>.Continuation
    private let connector: DatabaseConnector
    private let stopped = Atomic<Bool>(false)

    public init(connector: DatabaseConnector) {
        self.connector = connector
        // A page reads the current state on each change: when the reader falls behind, the
        // newest changes are the ones worth keeping (a resync follows an overflow).
        (changes, continuation) = AsyncStream.makeStream(of: PassengerChange.self, bufferingPolicy: .bufferingNewest(4096))
    }

    /// Starts listening on a new thread.
    public func start() {
        let thread = Thread { [self] in listen() }
        thread.name = "relay-listen"
        thread.start()
    }

    /// Stops within half a second; ``changes`` then ends.
    public func stop() {
        stopped.store(true, ordering: .relaxed)
    }

    private func listen() {
        let logger = connector.logger
        var backoff = RetryBackoff()
        while !stopped.load(ordering: .relaxed) {
            let listener: PostgresListener
            do {
                listener = try PostgresListener(
                    conninfo: connector.conninfo, password: connector.password, channels: [RelaySchema.passengerChannel],
                    applicationName: "flightedge-relay listen")
            } catch {
                if backoff.failures == 0 {
                    logger.error("cannot listen for passenger page changes; retrying", metadata: ["error": "\(error)"])
                }
                let delay = backoff.nextDelay().components
                usleep(UInt32(min(Int64(5_000_000), delay.seconds * 1_000_000 + delay.attoseconds / 1_000_000_000_000)))
                continue
            }
            if backoff.failures > 0 { logger.notice("listening for passenger page changes again") }
            backoff.reset()
            continuation.yield(.resync)
            while !stopped.load(ordering: .relaxed) {
                do {
                    for notification in try listener.wait(timeout: 0.5) {
                        for change in PassengerChange.changes(payload: notification.payload) {
                            // A full buffer dropped the oldest change: what it said is read again.
                            if case .dropped = continuation.yield(change) { continuation.yield(.resync) }
                        }
                    }
                } catch {
                    logger.warning("passenger page listener lost its connection", metadata: ["error": "\(error)"])
                    break
                }
            }
        }
        continuation.finish()
    }
}
