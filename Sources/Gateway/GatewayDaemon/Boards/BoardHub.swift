import Boards
import FlightModel
import Synchronization
import Timing

/// The boards' live side: keeps ``BoardState`` from the gateway's committed flights and sends
/// each change to every open `/board/stream`.
///
/// The pipeline only drops what it committed into an inbox (``committed(_:)``, a lock held
/// for a few dictionary writes) and moves on: ``run(staleFeeds:)`` takes the inbox in its own
/// task, so changes that arrive while a screen is served coalesce, and no screen, slow or
/// not, ever holds up a commit. Each screen has a bounded buffer; a screen that falls that far
/// behind is dropped, and its browser reconnects and catches up (``BoardState/resume(after:)``).
final class BoardHub: Sendable {
    let settings: BoardSettings
    /// Events a screen may have waiting before it is dropped.
    static let bufferedEvents = 256
    static let heartbeatInterval = Duration.seconds(15)

    private struct Inbox {
        var changed: [String: FlightState] = [:]
        var removed: Set<String> = []
    }

    private struct Screens {
        var board: BoardState
        var open: [Int: AsyncStream<[UInt8]>.Continuation] = [:]
        var nextID = 0
        var closed = false
    }

    private let inbox = Mutex(Inbox())
    private let screens: Mutex<Screens>
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    /// - Parameter flights: the flights restored at start.
    init(settings: BoardSettings, flights: [FlightState]) {
        self.settings = settings
        // The start time names this run's event ids: ids of an earlier run get a snapshot.
        var board = BoardState(boot: String(UInt64(Timestamp.now.millisecondsSinceEpoch), radix: 36))
        _ = board.apply(flights.map(BoardFlight.init))
        screens = Mutex(Screens(board: board))
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    // MARK: - From the pipeline

    /// Flights as just committed. Never waits for a screen.
    func committed(_ states: some Sequence<FlightState>) {
        inbox.withLock { inbox in
            for state in states {
                inbox.changed[state.key.flightID] = state
                inbox.removed.remove(state.key.flightID)
            }
        }
        wake.yield()
    }

    /// Flights housekeeping forgot.
    func removed(_ flightIDs: [String]) {
        guard !flightIDs.isEmpty else { return }
        inbox.withLock { inbox in
            for id in flightIDs {
                inbox.changed.removeValue(forKey: id)
                inbox.removed.insert(id)
            }
        }
        wake.yield()
    }

    // MARK: - The hub's own task

    /// Applies what the pipeline committed and sends it, with a heartbeat every 15 s, until
    /// cancelled; then every stream ends.
    func run(staleFeeds: @escaping @Sendable () async -> [String]) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                for await _ in wakes { takeInbox() }
            }
            group.addTask { [self] in
                while (try? await Task.sleep(for: Self.heartbeatInterval)) != nil {
                    let stale = await staleFeeds()
                    broadcast(BoardEvents.heartbeat(now: Timestamp.now.millisecondsSinceEpoch, staleFeeds: stale))
                }
            }
            await withTaskCancellationHandler {
                await group.next()
            } onCancel: {
                wake.finish()
            }
            group.cancelAll()
        }
        close()
    }

    private func takeInbox() {
        let taken = inbox.withLock { inbox in
            defer { inbox = Inbox() }
            return inbox
        }
        guard !taken.changed.isEmpty || !taken.removed.isEmpty else { return }
        let flights = taken.changed.values.map(BoardFlight.init)
        let behind = screens.withLock { screens -> [AsyncStream<[UInt8]>.Continuation] in
            guard let update = screens.board.apply(flights, removed: Array(taken.removed)), !screens.open.isEmpty else {
                return []
            }
            let event = BoardEvents.update(update, asOf: Timestamp.now.millisecondsSinceEpoch, settings: settings)
            return send(event, to: &screens)
        }
        // Outside the lock: finishing a stream calls its termination handler, which takes it.
        for screen in behind { screen.finish() }
    }

    private func broadcast(_ event: [UInt8]) {
        let behind = screens.withLock { screens in send(event, to: &screens) }
        for screen in behind { screen.finish() }
    }

    /// Hands `event` to every open screen; returns the screens that fell behind (their buffer
    /// is full), now forgotten, for the caller to end.
    private func send(_ event: [UInt8], to screens: inout Screens) -> [AsyncStream<[UInt8]>.Continuation] {
        var dropped: [(Int, AsyncStream<[UInt8]>.Continuation)] = []
        for (id, screen) in screens.open {
            switch screen.yield(event) {
            case .enqueued: continue
            default: dropped.append((id, screen))
            }
        }
        for (id, _) in dropped { screens.open.removeValue(forKey: id) }
        return dropped.map(\.1)
    }

    // MARK: - For the routes

    /// A stream of SSE bytes for one screen: the reconnection delay, then what it missed since
    /// `last` (or a snapshot of `board`, or nothing), then every change, until it disconnects,
    /// falls behind, or the hub closes.
    func subscribe(after last: BoardEventID?, board: BoardKind?) -> AsyncStream<[UInt8]> {
        let (stream, continuation) = AsyncStream.makeStream(
            of: [UInt8].self, bufferingPolicy: .bufferingOldest(Self.bufferedEvents))
        let now = Timestamp.now.millisecondsSinceEpoch
        let id: Int? = screens.withLock { screens in
            guard !screens.closed else { return nil }
            continuation.yield(BoardEvents.opening())
            switch screens.board.resume(after: last) {
            case .upToDate: break
            case .replay(let update): continuation.yield(BoardEvents.update(update, asOf: now, settings: settings))
            case .snapshot:
                let flights = board.map { $0.rows(of: screens.board.flights.values, now: now) }
                    ?? Array(screens.board.flights.values)
                continuation.yield(BoardEvents.snapshot(flights, id: screens.board.eventID, asOf: now, settings: settings))
            }
            screens.nextID += 1
            screens.open[screens.nextID] = continuation
            return screens.nextID
        }
        guard let id else {
            continuation.finish()
            return stream
        }
        continuation.onTermination = { [weak self] _ in
            self?.screens.withLock { _ = $0.open.removeValue(forKey: id) }
        }
        return stream
    }

    /// The board state as it is now (copied: rendering happens outside the lock).
    var state: BoardState { screens.withLock { $0.board } }

    /// Screens connected now.
    var openStreams: Int { screens.withLock { $0.open.count } }

    /// Ends every stream (the gateway stops): browsers reconnect to whatever comes next.
    func close() {
        let open = screens.withLock { screens in
            screens.closed = true
            defer { screens.open = [:] }
            return Array(screens.open.values)
        }
        for screen in open { screen.finish() }
    }
}
