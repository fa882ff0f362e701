extension BoardAssets {
    /// `/board/assets/board.css`: dark, high-contrast, sized by the viewport so that the same
    /// page reads from across a hall at 1920×1080, in portrait, and on a 4K screen.
    public static let stylesheet = #"""
        :root {
          --bg: #0a1630; --row: #102046; --row-alt: #0d1b3c; --text: #f4f6fb; --dim: #9fb0d0; --head: #ffd23f;
          --green: #35d07f; --amber: #ffb020; --red: #ff4f4f; --grey: #8795b3; --cyan: #52c7ff;
          font-size: clamp(14px, min(1.9vw, 3.4vh), 96px);
        }
        * { box-sizing: border-box; }
        html, body { margin: 0; height: 100%; background: var(--bg); color: var(--text);
          font-family: "DejaVu Sans", "Liberation Sans", Arial, Helvetica, sans-serif; }
        body.board-page { display: flex; flex-direction: column; overflow: hidden; }
        header { display: flex; align-items: center; gap: 1rem; padding: 0.5rem 1.2rem; background: #06102a;
          border-bottom: 0.25rem solid var(--head); }
        header h1 { margin: 0; font-size: 2.2rem; color: var(--head); flex: 1; font-weight: 700; letter-spacing: 0.02em; }
        header .airport { font-size: 1.4rem; color: var(--dim); }
        header .clock { font-size: 2.2rem; font-variant-numeric: tabular-nums; font-weight: 700; }
        body[data-lang="en"] .t:not([lang="en"]), body[data-lang="de"] .t:not([lang="de"]),
        body[data-lang="fr"] .t:not([lang="fr"]), body[data-lang="it"] .t:not([lang="it"]) { display: none; }
        .banner { background: var(--red); color: #fff; font-weight: 700; font-size: 1.3rem; padding: 0.4rem 1.2rem; }
        .banner[hidden] { display: none; }
        body[data-stream="live"] .banner .offline, body[data-stream="offline"] .banner .stale { display: none; }
        body[data-stream="live"] .banner { background: var(--amber); color: #000; }
        main { flex: 1; overflow: hidden; }
        table.board { width: 100%; border-collapse: collapse; table-layout: fixed; }
        thead th { text-align: left; font-size: 0.85rem; color: var(--dim); font-weight: 400; padding: 0.35rem 0.4rem;
          text-transform: uppercase; letter-spacing: 0.02em; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        tbody tr { background: var(--row); height: 2.6rem; }
        tbody tr:nth-child(even) { background: var(--row-alt); }
        tbody tr.off-page { display: none; }
        td { padding: 0.3rem 0.4rem; font-size: 1.35rem; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
        th.time, td.time { width: 11%; font-variant-numeric: tabular-nums; font-weight: 700; }
        th.expected, td.expected { width: 11%; font-variant-numeric: tabular-nums; color: var(--amber); }
        th.flight-no, td.flight-no { width: 15%; font-weight: 700; }
        th.place, td.place { width: 27%; }
        td.place small { color: var(--dim); font-size: 0.7em; margin-left: 0.5em; }
        th.gate, td.gate, th.belt, td.belt { width: 8%; font-weight: 700; color: var(--head); }
        th.status, td.status { width: 28%; }
        table.arrivals th.place, table.arrivals td.place { width: 19%; }
        table.arrivals th.gate, table.arrivals td.gate, table.arrivals th.belt, table.arrivals td.belt { width: 8%; }
        .designator:not(.shown) { display: none; }
        td.status { font-weight: 700; }
        tr.st-on-time td.status, tr.st-check-in td.status { color: var(--text); }
        tr.st-delayed td.status { color: var(--amber); }
        tr.st-gate-open td.status, tr.st-boarding td.status { color: var(--green); }
        tr.st-final-call td.status { color: var(--green); animation: blink 1s steps(2, start) infinite; }
        tr.st-gate-closed td.status, tr.st-diverted td.status { color: var(--red); }
        tr.st-cancelled td.status { color: #fff; background: var(--red); }
        tr.st-cancelled td.time { text-decoration: line-through; color: var(--dim); }
        tr.st-departed, tr.st-arrived, tr.st-not-operating { color: var(--grey); }
        tr.st-departed td.status, tr.st-arrived td.status { color: var(--grey); }
        tr.st-landed td.status { color: var(--cyan); }
        @keyframes blink { to { visibility: hidden; } }
        body[data-board="gate"] tbody tr:first-child { height: 6rem; }
        body[data-board="gate"] tbody tr:first-child td { font-size: 2.6rem; }
        .empty { font-size: 1.6rem; color: var(--dim); padding: 1rem 1.2rem; }
        .empty[hidden] { display: none; }
        footer { padding: 0.3rem 1.2rem; color: var(--dim); font-size: 1rem; text-align: right; min-height: 1.6rem; }
        @media (orientation: portrait) {
          /* As large as the longest status word ("Gate geschlossen") allows in its column. */
          :root { font-size: clamp(12px, 2.4vw, 96px); }
          th.expected, td.expected, th.time, td.time { width: 12%; }
          th.flight-no, td.flight-no { width: 16%; }
          th.place, td.place { width: 19%; }
          th.gate, td.gate { width: 10%; }
          th.status, td.status { width: 31%; }
          table.arrivals th.place, table.arrivals td.place { width: 10%; }
          table.arrivals th.gate, table.arrivals td.gate, table.arrivals th.belt, table.arrivals td.belt { width: 9%; }
          td.place small { display: none; }
          td { font-size: 1.2rem; }
          thead th { font-size: 0.75rem; letter-spacing: 0; padding: 0.35rem 0.4rem; }
        }
        body.index-page, body.not-found-page { padding: 2rem; font-size: 1.4rem; }
        body.index-page a, body.not-found-page a { color: var(--head); }
        ul.names { display: flex; flex-wrap: wrap; gap: 0.6rem 1.4rem; list-style: none; padding: 0; }
        .not-found-page h1 { color: var(--red); }
        """#
}
