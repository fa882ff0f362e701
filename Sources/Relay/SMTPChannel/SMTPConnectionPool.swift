import Channels

/// The channel's open sessions: at most `limit` at once, idle ones reused newest first (a server
/// may close the older ones), ones idle longer than `idleTimeout` or closed by the server dropped.
/// A send that finds every connection busy waits for one to come back.
actor SMTPConnectionPool {
    /// A connection lent to one send; `reused` says it carried mail before (send RSET first).
    struct Lease: Sendable {
        let connection: SMTPConnection
        let reused: Bool
    }

    typealias Opener = @Sendable () async throws(ChannelFailure) -> SMTPConnection

    private let limit: Int
    private let idleTimeout: Duration
    private let quitTimeout: Duration
    private let open: Opener
    private var idle: [(connection: SMTPConnection, since: ContinuousClock.Instant)] = []
    /// Connections open or being opened, lent or idle: never more than `limit`.
    private var count = 0
    /// Sends waiting for a connection; resumed with one, or with nil: "a slot is yours, open one"
    /// (or, once closed, "give up").
    private var waiters: [CheckedContinuation<Lease?, Never>] = []
    private var closed = false

    init(limit: Int, idleTimeout: Duration, quitTimeout: Duration, open: @escaping Opener) {
        self.limit = max(1, limit)
        self.idleTimeout = idleTimeout
        self.quitTimeout = quitTimeout
        self.open = open
    }

    /// A connection for one transaction: an idle one, a new one, or the next one given back.
    func lease() async throws(ChannelFailure) -> Lease {
        guard !closed else { throw Self.shuttingDown }
        dropStaleIdle()
        if let entry = idle.popLast() { return Lease(connection: entry.connection, reused: true) }
        if count < limit {
            count += 1
            return try await openInReservedSlot()
        }
        let handed = await withCheckedContinuation { waiters.append($0) }
        guard !closed else { throw Self.shuttingDown }
        if let handed { return handed }
        return try await openInReservedSlot()
    }

    /// Takes a connection back after a transaction; `reusable` is false after an I/O failure or a
    /// 421. After ``shutdown()`` every connection given back is closed.
    func giveBack(_ connection: SMTPConnection, reusable: Bool) {
        guard reusable, !closed, connection.isActive else {
            retire(connection)
            freeSlot()
            return
        }
        if !waiters.isEmpty {
            waiters.removeFirst().resume(returning: Lease(connection: connection, reused: true))
        } else {
            idle.append((connection, .now))
        }
    }

    /// Closes the idle connections (QUIT first) and refuses further leases; connections still lent
    /// are closed when they come back.
    func shutdown() async {
        closed = true
        for waiter in waiters { waiter.resume(returning: nil) }
        waiters = []
        let connections = idle.map(\.connection)
        idle = []
        count -= connections.count
        let timeout = quitTimeout.timeAmount
        await withTaskGroup(of: Void.self) { group in
            for connection in connections { group.addTask { await connection.quit(timeout: timeout) } }
        }
    }

    private func openInReservedSlot() async throws(ChannelFailure) -> Lease {
        do throws(ChannelFailure) {
            let connection = try await open()
            if closed {
                retire(connection)
                throw Self.shuttingDown
            }
            return Lease(connection: connection, reused: false)
        } catch {
            freeSlot()
            throw error
        }
    }

    private func dropStaleIdle() {
        let oldest = ContinuousClock.now - idleTimeout
        var kept: [(connection: SMTPConnection, since: ContinuousClock.Instant)] = []
        for entry in idle {
            if entry.since > oldest, entry.connection.isActive {
                kept.append(entry)
            } else {
                retire(entry.connection)
                freeSlot()
            }
        }
        idle = kept
    }

    /// A slot became free: it passes to the first waiter, who opens a connection in it.
    private func freeSlot() {
        if !waiters.isEmpty, !closed {
            waiters.removeFirst().resume(returning: nil)
        } else {
            count -= 1
        }
    }

    /// Says QUIT in the background when the connection is still up, else just closes it.
    private func retire(_ connection: SMTPConnection) {
        guard connection.isActive else { return connection.close() }
        let timeout = quitTimeout.timeAmount
        Task { await connection.quit(timeout: timeout) }
    }

    private static let shuttingDown = ChannelFailure(.retry(afterSeconds: nil), "the e-mail channel is shutting down")
}
