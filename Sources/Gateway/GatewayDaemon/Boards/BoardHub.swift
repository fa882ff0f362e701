import Boards
import FlightModel
import NIOCore
import Synchronization
import Timing

/// The boards' live side: keeps ``BoardState`` from the gateway's committed flights and sends
/// each change to every open `/board/stream`.
///
/// The pipeline only appends what it committed to an inbox (``committed(_:)``, one lock held
/// for one append) and moves on: ``run(staleFeeds:)`` takes the inbox in its own
/// task, so changes that arrive while a screen is served coalesce, and no screen, slow or
/// not, ever holds up a commit. An event is encoded once per kind of board open (a screen gets
/// only the rows its board shows, and the ids of rows that leave it) and shared by every
/// screen of that kind. Each screen has a bounded buffer (events and bytes); a screen that
/// falls that far behind is dropped, and its browser reconnects and catches up
/// (``BoardState/resume(after:)``).
final class BoardHub: Sendable {
    let settings: BoardSettings
    /// Events a screen may have waiting before it is dropped.
    static let bufferedEvents = 256
    /// Bytes a screen may have waiting before it is dropped.
    static let bufferedBytes = 16 << 20
    static let heartbeatInterval = Duration.seconds(15)
    /// How often the feeds' staleness is looked at (a change is sent at once).
    static let staleCheckInterval = Duration.seconds(1)
    /// Bytes per second all screens together are sent at most, averaged over each event: after
    /// an event, the hub waits in proportion to what it handed out (2 s at most) while the next
    /// changes coalesce. A change to one flight on one screen waits microseconds; a burst on 500
    /// screens is sent as fewer, larger events instead of taking the cores from the pipeline.
    static let fanOutBytesPerSecond = 64 << 20

    /// What the pipeline handed over since the hub last looked, in order: whole batches, sorted
    /// out (latest state per flight) on the hub's task, not on the commit path.
    private enum Delivery {
        /// A batch's flights after its commit, in the order they were first touched: the
        /// batch's own arrays, shared, not a copy of each state made on the pipeline's thread.
        case committed(touched: [HashedFlightID], after: [HashedFlightID: FlightState])
        case removed([String])
    }

    /// One open stream.
    private struct Screen {
        var continuation: AsyncStream<ByteBuffer>.Continuation
        /// The board it shows; nil: every change (a client that did not say).
        var board: BoardKind?
        var queued: QueuedBytes
    }

    private struct Screens {
        var board: BoardState
        var open: [Int: Screen] = [:]
        var nextID = 0
        var closed = false
        /// The feeds stale as last told to the screens (a new screen hears it at once).
        var stale: [String] = []
    }

    private let inbox = Mutex<[Delivery]>([])
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

    /// Flights as just committed (`after[id]` for each of `touched`): the batch's arrays are
    /// appended as they are (one lock, one append) and the pipeline moves on. Never waits for
    /// a screen.
    func committed(touched: [HashedFlightID], after: [HashedFlightID: FlightState]) {
        guard !touched.isEmpty else { return }
        inbox.withLock { $0.append(.committed(touched: touched, after: after)) }
        wake.yield()
    }

    /// Flights housekeeping forgot.
    func removed(_ flightIDs: [String]) {
        guard !flightIDs.isEmpty else { return }
        inbox.withLock { $0.append(.removed(flightIDs)) }
        wake.yield()
    }

    // MARK: - The hub's own task

    /// Applies what the pipeline committed and sends it, with a heartbeat every 15 s (and a
    /// status event whenever the set of stale feeds changes), until cancelled; then every
    /// stream ends.
    func run(staleFeeds: @escaping @Sendable () async -> [String]) async {
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                var pending = Pending()
                for await _ in wakes {
                    absorbInbox(into: &pending)
                    let sent = send(&pending)
                    // The pause that paces the fan-out; the inbox is still emptied every 100 ms
                    // meanwhile, so the pipeline's batches are not kept alive for it.
                    var pause = Duration.microseconds(min(2_000_000, sent * 1_000_000 / Self.fanOutBytesPerSecond))
                    while pause > .milliseconds(1) {
                        let step = min(pause, .milliseconds(100))
                        try? await Task.sleep(for: step)
                        pause -= step
                        absorbInbox(into: &pending)
                    }
                }
            }
            group.addTask { [self] in
                // Feeds are looked at every second: a screen shows its banner as soon as a feed
                // turns stale and drops it as soon as data flows again, not at the next heartbeat.
                var lastHeartbeat = ContinuousClock.now
                while (try? await Task.sleep(for: Self.staleCheckInterval)) != nil {
                    let stale = await staleFeeds()
                    let due = ContinuousClock.now - lastHeartbeat >= Self.heartbeatInterval
                    guard due || stale != screens.withLock({ $0.stale }) else { continue }
                    lastHeartbeat = ContinuousClock.now
                    let now = Timestamp.now.millisecondsSinceEpoch
                    let event = ByteBuffer(bytes: BoardEvents.heartbeat(now: now, staleFeeds: stale))
                    var sent = 0
                    finish(
                        screens.withLock { screens in
                            screens.stale = stale
                            return send({ _ in event }, to: &screens, sent: &sent)
                        })
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

    /// Changes taken from the inbox and not sent yet: the latest of each flight, the flights gone.
    private struct Pending {
        /// In an array handed to the board as it is (a dictionary's values were copied out,
        /// each flight's strings retained and released again); `index` finds a flight's place.
        var changed: [BoardFlight] = []
        var index: [String: Int] = [:]
        var removed: Set<String> = []

        var isEmpty: Bool { changed.isEmpty && removed.isEmpty }

        mutating func change(_ flight: BoardFlight) {
            if let place = index[flight.id] {
                changed[place] = flight
            } else {
                index[flight.id] = changed.count
                changed.append(flight)
            }
            if !removed.isEmpty { removed.remove(flight.id) }
        }

        mutating func remove(_ id: String) {
            if let place = index.removeValue(forKey: id) {
                changed.swapAt(place, changed.count - 1)
                changed.removeLast()
                if place < changed.count { index[changed[place].id] = place }
            }
            removed.insert(id)
        }
    }

    /// Sorts what the pipeline handed over into `pending` (a later commit undoes a removal).
    private func absorbInbox(into pending: inout Pending) {
        let deliveries = inbox.withLock { inbox in
            defer { inbox = [] }
            return inbox
        }
        for delivery in deliveries {
            switch delivery {
            case .committed(let touched, let after):
                pending.index.reserveCapacity(pending.changed.count + touched.count)
                pending.changed.reserveCapacity(pending.changed.count + touched.count)
                for id in touched {
                    guard let state = after[id] else { continue }
                    pending.change(BoardFlight(state))
                }
            case .removed(let ids):
                for id in ids { pending.remove(id) }
            }
        }
    }

    /// Applies `pending` to the board and sends the change; returns the bytes handed to all screens.
    private func send(_ pending: inout Pending) -> Int {
        guard !pending.isEmpty else { return 0 }
        let flights = pending.changed
        let removed = Array(pending.removed)
        pending = Pending()
        var sent = 0
        let behind = screens.withLock { screens -> [Screen] in
            // With no screen open the change is only applied: what each board's rows were
            // before is needed to tell a screen a row leaves it, and nobody is told.
            let open = !screens.open.isEmpty
            guard let update = screens.board.apply(flights, removed: removed, keepingPrevious: open), open else {
                return []
            }
            let now = Timestamp.now.millisecondsSinceEpoch
            var encoded: [BoardKind?: ByteBuffer?] = [:]
            return send(
                { board in
                    if let event = encoded[board] { return event }
                    let part = board.map { update.filtered(for: $0, now: now) } ?? update
                    let event = part.map { ByteBuffer(bytes: BoardEvents.update($0, asOf: now, settings: settings)) }
                    encoded[board] = event
                    return event
                }, to: &screens, sent: &sent)
        }
        finish(behind)
        return sent
    }

    /// Hands each open screen its event (nil: nothing for it); returns the screens that fell
    /// behind (their buffer is full), now forgotten, for the caller to end outside the lock.
    private func send(_ event: (BoardKind?) -> ByteBuffer?, to screens: inout Screens, sent: inout Int) -> [Screen] {
        var dropped: [(Int, Screen)] = []
        for (id, screen) in screens.open {
            guard let bytes = event(screen.board) else { continue }
            guard screen.queued.add(bytes.readableBytes, limit: Self.bufferedBytes) else {
                dropped.append((id, screen))
                continue
            }
            if case .enqueued = screen.continuation.yield(bytes) {
                sent += bytes.readableBytes
                continue
            }
            dropped.append((id, screen))
        }
        for (id, _) in dropped { screens.open.removeValue(forKey: id) }
        return dropped.map(\.1)
    }

    /// Ends streams; outside the lock, since ending one calls its termination handler, which takes it.
    private func finish(_ dropped: [Screen]) {
        for screen in dropped { screen.continuation.finish() }
    }

    // MARK: - For the routes

    /// A stream of SSE bytes for one screen: the reconnection delay, then what it missed since
    /// `last` (or a snapshot of `board`, or nothing), then every change `board` shows, until it
    /// disconnects, falls behind, or the hub closes.
    func subscribe(after last: BoardEventID?, board: BoardKind?) -> some AsyncSequence<ByteBuffer, Never> & Sendable {
        let (stream, continuation) = AsyncStream.makeStream(
            of: ByteBuffer.self, bufferingPolicy: .bufferingOldest(Self.bufferedEvents))
        let queued = QueuedBytes()
        let now = Timestamp.now.millisecondsSinceEpoch
        let id: Int? = screens.withLock { screens in
            guard !screens.closed else { return nil }
            var first = BoardEvents.opening()
            switch screens.board.resume(after: last) {
            case .upToDate: break
            case .replay(let update): first += BoardEvents.update(update, asOf: now, settings: settings)
            case .snapshot:
                let flights = board.map { $0.rows(of: screens.board.flights.values, now: now) }
                    ?? Array(screens.board.flights.values)
                first += BoardEvents.snapshot(flights, id: screens.board.eventID, asOf: now, settings: settings)
            }
            first += BoardEvents.status(staleFeeds: screens.stale)
            _ = queued.add(first.count, limit: .max)
            continuation.yield(ByteBuffer(bytes: first))
            screens.nextID += 1
            screens.open[screens.nextID] = Screen(continuation: continuation, board: board, queued: queued)
            return screens.nextID
        }
        if let id {
            continuation.onTermination = { [weak self] _ in
                self?.screens.withLock { _ = $0.open.removeValue(forKey: id) }
            }
        } else {
            continuation.finish()
        }
        return stream.map { bytes in
            queued.remove(bytes.readableBytes)
            return bytes
        }
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
        finish(open)
    }
}

/// Bytes handed to one screen's stream and not yet taken by its connection.
private final class QueuedBytes: Sendable {
    private let bytes = Atomic<Int>(0)

    /// Adds `count` unless that passes `limit`; false then.
    func add(_ count: Int, limit: Int) -> Bool {
        let total = bytes.add(count, ordering: .relaxed).newValue
        guard total <= limit else {
            bytes.subtract(count, ordering: .relaxed)
            return false
        }
        return true
    }

    func remove(_ count: Int) { bytes.subtract(count, ordering: .relaxed) }
}
