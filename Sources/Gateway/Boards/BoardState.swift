/// Every board's flights in memory, taken from the gateway's committed state after each
/// commit (no SQL per request), with a sequence number per change and a bounded journal of
/// which flights each recent change touched, so that a screen that reconnects catches up with
/// only what it missed. Pure.
public struct BoardState: Sendable {
    /// Names this process's sequence: after a restart, ids of the old one lead to a snapshot.
    public let boot: String
    /// The last change's number; 0 before the first.
    public private(set) var seq: Int64 = 0
    public private(set) var flights: [String: BoardFlight] = [:]
    /// Recent changes, oldest first: which flight ids each touched.
    private var journal: [(seq: Int64, ids: [String])] = []
    private var journalStart = 0
    private var journalIDs = 0
    /// Flight ids the journal may hold over all its changes; older changes are forgotten first.
    public let journalCapacity: Int

    /// - Parameters:
    ///   - boot: any text without `.` or line breaks that differs between runs (the start time).
    ///   - journalCapacity: flight ids remembered over all recent changes (memory: ~40 bytes each).
    public init(boot: String, journalCapacity: Int = 20_000) {
        self.boot = boot
        self.journalCapacity = max(1, journalCapacity)
    }

    /// The event id of the current state.
    public var eventID: BoardEventID { BoardEventID(boot: boot, seq: seq) }

    /// Takes committed flights and flights that are gone (housekeeping); returns the change to
    /// send, or nil when nothing a board shows changed.
    ///
    /// `keepingPrevious: false` leaves the update's ``BoardUpdate/previous`` empty (nobody to
    /// tell that a row left a board: no screen is open).
    public mutating func apply(
        _ changed: [BoardFlight], removed: [String] = [], keepingPrevious: Bool = true
    ) -> BoardUpdate? {
        var previous: [String: BoardFlight] = [:]
        if keepingPrevious { previous.reserveCapacity(changed.count) }
        // Positions in `changed` of flights the board already shows as they are.
        var same: Set<Int> = []
        for position in changed.indices {
            let id = changed[position].id
            // One lookup of the id for a flight the board has: a comparison by subscript and
            // then `updateValue` hashed it twice.
            if let index = flights.index(forKey: id) {
                guard flights.values[index] != changed[position] else {
                    same.insert(position)
                    continue
                }
                if keepingPrevious { previous[id] = flights.values[index] }
                flights.values[index] = changed[position]
            } else {
                flights[id] = changed[position]
            }
        }
        // `changed` itself when every flight changed (a burst's usual case): a new array of
        // the changed ones copied each flight, its strings retained.
        let upserts = same.isEmpty ? changed : changed.indices.filter { !same.contains($0) }.map { changed[$0] }
        var gone: [String] = []
        for id in removed {
            guard let flight = flights.removeValue(forKey: id) else { continue }
            gone.append(id)
            if keepingPrevious { previous[id] = flight }
        }
        guard !upserts.isEmpty || !gone.isEmpty else { return nil }
        seq += 1
        remember(upserts.map(\.id) + gone)
        return BoardUpdate(id: eventID, flights: upserts, removed: gone, previous: previous)
    }

    /// What a screen that last saw `last` needs: nothing, the flights changed since (as they
    /// are now), or a whole snapshot when `last` is of another run, unknown, or older than
    /// the journal remembers.
    public func resume(after last: BoardEventID?) -> BoardResume {
        guard let last, last.boot == boot, last.seq <= seq else { return .snapshot }
        if last.seq == seq { return .upToDate }
        let firstRemembered = journal.count > journalStart ? journal[journalStart].seq : seq + 1
        guard last.seq >= firstRemembered - 1 else { return .snapshot }
        var ids: [String] = []
        var seen: Set<String> = []
        for entry in journal[journalStart...] where entry.seq > last.seq {
            for id in entry.ids where seen.insert(id).inserted { ids.append(id) }
        }
        let present = ids.compactMap { flights[$0] }
        let removed = ids.filter { flights[$0] == nil }
        return .replay(BoardUpdate(id: eventID, flights: present, removed: removed))
    }

    private mutating func remember(_ ids: [String]) {
        journal.append((seq, ids))
        journalIDs += ids.count
        while journalIDs > journalCapacity, journalStart < journal.count - 1 {
            journalIDs -= journal[journalStart].ids.count
            journalStart += 1
        }
        // Compact now and then, so the dropped entries' memory goes.
        if journalStart > 64, journalStart * 2 > journal.count {
            journal.removeFirst(journalStart)
            journalStart = 0
        }
    }
}

/// One change of the boards: the flights as they are now, and the ids that are gone.
public struct BoardUpdate: Sendable, Equatable {
    public var id: BoardEventID
    public var flights: [BoardFlight]
    public var removed: [String]
    /// The changed flights as they were before (none: new), to tell a board a row is leaving it.
    public var previous: [String: BoardFlight] = [:]

    public init(id: BoardEventID, flights: [BoardFlight], removed: [String], previous: [String: BoardFlight] = [:]) {
        self.id = id
        self.flights = flights
        self.removed = removed
        self.previous = previous
    }

    /// What one board needs of this change at `now`: the flights it shows, and as removed the
    /// ids of those it showed before and no longer does; nil when it concerns the board not at all.
    public func filtered(for board: BoardKind, now: Int64) -> BoardUpdate? {
        var shown: [BoardFlight] = []
        var left: [String] = []
        func showedBefore(_ id: String) -> Bool { previous[id].map { board.shows($0, now: now) } ?? false }
        for flight in flights {
            if board.shows(flight, now: now) {
                shown.append(flight)
            } else if showedBefore(flight.id) {
                left.append(flight.id)
            }
        }
        left += removed.filter(showedBefore)
        guard !shown.isEmpty || !left.isEmpty else { return nil }
        return BoardUpdate(id: id, flights: shown, removed: left)
    }
}

/// How a reconnecting screen catches up (``BoardState/resume(after:)``).
public enum BoardResume: Sendable, Equatable {
    case upToDate
    case replay(BoardUpdate)
    case snapshot
}

/// An SSE event id: `{boot}.{seq}`, e.g. `mbx2k1.42`.
public struct BoardEventID: Sendable, Hashable, CustomStringConvertible {
    public var boot: String
    public var seq: Int64

    public init(boot: String, seq: Int64) {
        self.boot = boot
        self.seq = seq
    }

    /// Parses a `Last-Event-ID`; nil for anything this gateway did not write.
    public init?(_ text: some StringProtocol) {
        guard let dot = text.lastIndex(of: "."), let seq = Int64(text[text.index(after: dot)...]), seq >= 0 else {
            return nil
        }
        let boot = String(text[..<dot])
        guard !boot.isEmpty, boot.utf8.count <= 32 else { return nil }
        self.init(boot: boot, seq: seq)
    }

    public var description: String { "\(boot).\(seq)" }
}
