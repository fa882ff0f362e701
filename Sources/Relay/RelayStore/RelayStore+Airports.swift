import Postgres

/// One airport's stream as `GET /v1/airports` and `/metrics` show it.
public struct AirportStreamRecord: Sendable, Equatable {
    public var airport: String
    /// Events recorded (first time seen).
    public var events: Int64
    public var highestSeen: Int64
    public var highestContiguous: Int64
    public var openGaps: Int
    /// Events missing in the open gaps.
    public var missing: Int64
    /// Replay requests sent to the airport.
    public var replays: Int64
    /// Seconds since 1970.
    public var lastEventAt: Double
    /// The last event or status heard from the airport, seconds since 1970.
    public var lastHeardAt: Double
    /// The gateway's retained `status`: `online`, `offline`; nil before one was heard.
    public var gateway: String?
    /// The airport bridge's notification at the centre: `connected`, `disconnected`; nil before one.
    public var bridge: String?
    /// When the gap that moved least recently last moved (nil: no gap).
    public var oldestGapProgressAt: Double?
    /// The database's clock when read, seconds since 1970 (status is judged against it).
    public var now: Double
}

/// A replay request the relay sends (RELAY.md: `flightedge/{IATA}/cmd/replay`, `{from, to}` inclusive).
public struct ReplayRequestTarget: Sendable, Equatable {
    public var airport: String
    public var from: Int64
    public var to: Int64

    public init(airport: String, from: Int64, to: Int64) {
        self.airport = airport
        self.from = from
        self.to = to
    }
}

extension RelayStore {
    /// Moves the airport's stream on by one event (issue #13), in the intake's transaction:
    /// counts it when it was `recorded` (not a duplicate), and with a `stream_seq` opens, fills or
    /// splits gaps through ``StreamLedger``. A duplicate moves the stream too: its number arrived,
    /// whatever its `event_id` (two airports can send the same one: the gateway derives it from
    /// the flight, the change and its kind). The airport's row is locked last in the transaction
    /// (after the subscriptions), so two intakes never wait for each other in a circle.
    static func trackStream(
        airport: String, streamSeq: Int64?, recorded: Bool = true, on connection: PostgresConnection
    ) throws(PostgresError) {
        guard recorded || streamSeq != nil else { return }
        let counted = try connection.query(
            """
            INSERT INTO relay.airport_streams AS s (airport, events) VALUES ($1, $2)
            ON CONFLICT (airport) DO UPDATE SET events = s.events + $2, last_event_at = now(), last_heard_at = now()
            RETURNING highest_seen, extract(epoch FROM now())::float8
            """,
            [.text(airport), .int(recorded ? 1 : 0)])
        guard let seq = streamSeq, let row = counted.rows.first, let highestSeen = row[0].flatMap({ Int64($0) }),
            let now = row[1].flatMap({ Double($0) })
        else { return }
        var gap: StreamLedger.Gap?
        if seq <= highestSeen {
            gap = try connection.query(
                """
                SELECT from_seq, to_seq, extract(epoch FROM opened_at)::float8, extract(epoch FROM progress_at)::float8,
                    requests, extract(epoch FROM last_request_at)::float8
                FROM relay.stream_gaps WHERE airport = $1 AND from_seq <= $2 AND to_seq >= $2
                """,
                [.text(airport), .int(seq)]
            ).rows.first.flatMap(Self.gap)
        }
        let step = StreamLedger.step(highestSeen: highestSeen, containing: gap, seq: seq, now: now)
        try write(step, airport: airport, stale: step.kind == .stale && recorded ? 1 : 0, on: connection)
    }

    /// Records that `airport`'s stream reached `head` (the `stream_seq` of its retained `status`):
    /// numbers past the highest seen become a gap, asked for again like any other. Returns the
    /// gap it opened, if any. A status from an airport not heard of yet starts its row.
    @discardableResult
    public func recordStreamHead(airport: String, head: Int64) async throws -> StreamLedger.Gap? {
        try await run("cannot record the stream head of \(airport)", transaction: true) { connection in
            _ = try connection.query(
                """
                INSERT INTO relay.airport_streams AS s (airport, gateway_state, gateway_state_at) VALUES ($1, 'online', now())
                ON CONFLICT (airport) DO UPDATE SET last_heard_at = now(), gateway_state = 'online',
                    gateway_state_at = CASE WHEN s.gateway_state IS DISTINCT FROM 'online' THEN now() ELSE s.gateway_state_at END
                """,
                [.text(airport)])
            guard
                let row = try connection.query(
                    "SELECT highest_seen, extract(epoch FROM now())::float8 FROM relay.airport_streams WHERE airport = $1 FOR UPDATE",
                    [.text(airport)]
                ).rows.first,
                let highestSeen = row[0].flatMap({ Int64($0) }), let now = row[1].flatMap({ Double($0) }),
                let step = StreamLedger.announce(highestSeen: highestSeen, head: head, now: now)
            else { return nil }
            try Self.write(step, airport: airport, stale: 0, on: connection)
            return step.addedGaps.first
        }
    }

    /// Records what the airport's gateway (`online`, from its retained `status`; `offline`, its
    /// clean stop or last will) or its bridge to the centre (`connected`, `disconnected`, the
    /// bridge's notification) says now. An online status with `stream_seq` goes through
    /// ``recordStreamHead(airport:head:)`` instead.
    public func recordAirportLink(airport: String, gateway: String? = nil, bridge: String? = nil) async throws {
        try await run("cannot record the state of \(airport)") { connection in
            _ = try connection.query(
                """
                INSERT INTO relay.airport_streams AS s (airport, gateway_state, gateway_state_at, bridge_state, bridge_state_at)
                VALUES ($1, $2::text, CASE WHEN $2::text IS NULL THEN NULL ELSE now() END, $3::text, CASE WHEN $3::text IS NULL THEN NULL ELSE now() END)
                ON CONFLICT (airport) DO UPDATE SET last_heard_at = now(),
                    gateway_state = COALESCE($2::text, s.gateway_state),
                    gateway_state_at = CASE WHEN $2::text IS NOT NULL AND $2::text IS DISTINCT FROM s.gateway_state THEN now() ELSE s.gateway_state_at END,
                    bridge_state = COALESCE($3::text, s.bridge_state),
                    bridge_state_at = CASE WHEN $3::text IS NOT NULL AND $3::text IS DISTINCT FROM s.bridge_state THEN now() ELSE s.bridge_state_at END
                """,
                [.text(airport), gateway.map { .text($0) } ?? .null, bridge.map { .text($0) } ?? .null])
        }
    }

    /// Writes what ``StreamLedger`` decided: the gap removed, the gaps added, the airport's
    /// highest number and contiguous prefix.
    private static func write(
        _ step: StreamLedger.Step, airport: String, stale: Int64, on connection: PostgresConnection
    ) throws(PostgresError) {
        var statements: [(sql: String, parameters: [PostgresValue])] = []
        if let removed = step.removedGap {
            statements.append(
                ("DELETE FROM relay.stream_gaps WHERE airport = $1 AND from_seq = $2", [.text(airport), .int(removed)]))
        }
        for added in step.addedGaps {
            statements.append(
                (
                    """
                    INSERT INTO relay.stream_gaps (airport, from_seq, to_seq, opened_at, progress_at, requests, last_request_at)
                    VALUES ($1, $2, $3, to_timestamp($4), to_timestamp($5), $6, to_timestamp($7))
                    """,
                    [
                        .text(airport), .int(added.from), .int(added.to), .text(String(added.openedAt)),
                        .text(String(added.progressAt)), .int(Int64(added.requests)),
                        added.lastRequestAt.map { .text(String($0)) } ?? .null,
                    ]
                ))
        }
        statements.append(
            (
                """
                UPDATE relay.airport_streams SET highest_seen = $2, stale = stale + $3,
                    highest_contiguous = COALESCE((SELECT min(from_seq) - 1 FROM relay.stream_gaps WHERE airport = $1), $2)
                WHERE airport = $1
                """,
                [.text(airport), .int(step.highestSeen), .int(stale)]
            ))
        _ = try connection.pipeline(statements)
    }

    /// Every airport the relay has heard of, by code.
    public func airportStreams() async throws -> [AirportStreamRecord] {
        try await run("cannot read the airports' streams") { connection in
            try connection.query(
                """
                SELECT a.airport, a.events, a.highest_seen, a.highest_contiguous, count(g.from_seq),
                    COALESCE(sum(g.to_seq - g.from_seq + 1), 0), a.replays, extract(epoch FROM a.last_event_at)::float8,
                    extract(epoch FROM min(g.progress_at))::float8, extract(epoch FROM now())::float8,
                    extract(epoch FROM a.last_heard_at)::float8, a.gateway_state, a.bridge_state
                FROM relay.airport_streams a LEFT JOIN relay.stream_gaps g ON g.airport = a.airport
                GROUP BY a.airport ORDER BY a.airport
                """
            ).rows.compactMap { row in
                guard let airport = row[0] else { return nil }
                return AirportStreamRecord(
                    airport: airport, events: Int64(row[1] ?? "") ?? 0, highestSeen: Int64(row[2] ?? "") ?? 0,
                    highestContiguous: Int64(row[3] ?? "") ?? 0, openGaps: Int(row[4] ?? "") ?? 0,
                    missing: Int64(row[5] ?? "") ?? 0, replays: Int64(row[6] ?? "") ?? 0,
                    lastEventAt: Double(row[7] ?? "") ?? 0, lastHeardAt: Double(row[10] ?? "") ?? 0, gateway: row[11],
                    bridge: row[12], oldestGapProgressAt: row[8].flatMap { Double($0) }, now: Double(row[9] ?? "") ?? 0)
            }
        }
    }

    /// Sends the replay requests that are due under `policy` (at most `limit`), one relay
    /// instance at a time (a transaction-scoped advisory lock: an instance that does not get it
    /// returns `[]` at once). `send` publishes one request; a request it throws for is not
    /// counted and is tried again on the next call. Returns the requests sent.
    public func sendDueReplays(
        policy: ReplayPolicy, limit: Int = 100, send: @escaping @Sendable (ReplayRequestTarget) throws -> Void
    ) async throws -> [ReplayRequestTarget] {
        try await run("cannot send replay requests", transaction: true) { connection in
            guard try connection.query("SELECT pg_try_advisory_xact_lock($1)", [.int(Self.replayLockKey)]).rows.first?[0] == "t"
            else { return [] }
            let airports = try connection.query(
                """
                SELECT DISTINCT airport FROM relay.stream_gaps
                WHERE progress_at <= now() - make_interval(secs => $1) ORDER BY airport
                """,
                [.text(String(policy.replayAfter))]
            ).rows.compactMap { $0[0] }
            var sent: [ReplayRequestTarget] = []
            for airport in airports where sent.count < limit {
                // The airport's row first, as the intake locks it: its gaps stay as read until commit.
                let now = try connection.query(
                    "SELECT extract(epoch FROM now())::float8 FROM relay.airport_streams WHERE airport = $1 FOR UPDATE",
                    [.text(airport)]
                ).rows.first?[0].flatMap { Double($0) } ?? 0
                let gaps = try connection.query(
                    """
                    SELECT from_seq, to_seq, extract(epoch FROM opened_at)::float8, extract(epoch FROM progress_at)::float8,
                        requests, extract(epoch FROM last_request_at)::float8
                    FROM relay.stream_gaps WHERE airport = $1 ORDER BY from_seq
                    """,
                    [.text(airport)]
                ).rows.compactMap(Self.gap).filter { policy.isDue($0, now: now) }
                var sentHere = 0
                for gap in gaps.prefix(limit - sent.count) {
                    // A gateway answers at most 100,000 events per request (docs/MQTT.md): a larger
                    // hole is asked for from its start, the rest on later rounds.
                    let target = ReplayRequestTarget(
                        airport: airport, from: gap.from, to: min(gap.to, gap.from + Self.replayRequestLimit - 1))
                    do { try send(target) } catch { break }
                    _ = try connection.query(
                        """
                        UPDATE relay.stream_gaps SET requests = requests + 1, last_request_at = now()
                        WHERE airport = $1 AND from_seq = $2
                        """,
                        [.text(airport), .int(gap.from)])
                    sent.append(target)
                    sentHere += 1
                }
                if sentHere > 0 {
                    _ = try connection.query(
                        "UPDATE relay.airport_streams SET replays = replays + $2 WHERE airport = $1",
                        [.text(airport), .int(Int64(sentHere))])
                }
            }
            return sent
        }
    }

    /// The most events one replay request may ask for (the gateway refuses more).
    public static let replayRequestLimit: Int64 = 100_000

    /// The advisory lock one replay sender holds ("FEReplay").
    static let replayLockKey: Int64 = 0x4645_5265_706C_6179

    private static func gap(_ row: [String?]) -> StreamLedger.Gap? {
        guard let from = row[0].flatMap({ Int64($0) }), let to = row[1].flatMap({ Int64($0) }),
            let opened = row[2].flatMap({ Double($0) })
        else { return nil }
        return StreamLedger.Gap(
            from: from, to: to, openedAt: opened, progressAt: row[3].flatMap { Double($0) },
            requests: row[4].flatMap { Int($0) } ?? 0, lastRequestAt: row[5].flatMap { Double($0) })
    }
}
