extension BoardAssets {
    /// `/board/assets/board.js`: keeps a board live without reloads. It opens `/board/stream`
    /// (EventSource) from the event the page was rendered at, patches rows in place, sets
    /// `body[data-stream]` to `live` or `offline`, shows the "offline / data as of" banner when
    /// the stream breaks (or is silent past two heartbeats) or a feed is stale, and reconnects
    /// by itself. It also runs the clock, alternates the languages, rotates codeshares and
    /// pages through lists longer than the screen.
    public static let script = #"""
        (function () {
          "use strict";
          var body = document.body;
          var rows = document.getElementById("rows");
          if (!rows) { return; }
          var kind = body.dataset.board, resource = body.dataset.resource;
          var languages = (body.dataset.languages || "en").split(" ");
          var zone = body.dataset.timeZone || "UTC";
          var banner = document.getElementById("banner"), asOfText = document.getElementById("as-of");
          var clock = document.getElementById("clock"), empty = document.getElementById("empty");
          var pageText = document.getElementById("page");
          var lastId = body.dataset.seq, asOf = Number(body.dataset.asOf), stale = [];
          var source = null, watchdog = null, retry = null;
          var hhmm;
          try {
            hhmm = new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
          } catch (e) {
            hhmm = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
          }

          function shows(f, now) {
            switch (kind) {
              case "departures": return f.dir === "D" && f.until >= now;
              case "arrivals": return f.dir === "A" && f.until >= now;
              case "gate": return f.dir === "D" && f.gate === resource && !f.left_gate;
              case "belt": return f.dir === "A" && f.belt === resource && f.belt_until >= now;
            }
            return false;
          }
          function rowOf(id) {
            for (var r = rows.firstElementChild; r; r = r.nextElementSibling) {
              if (r.dataset.flightId === id) { return r; }
            }
            return null;
          }
          function before(a, t, id) {
            var at = Number(a.dataset.t);
            return at > t || (at === t && a.dataset.flightId > id);
          }
          function upsert(f) {
            var old = rowOf(f.id);
            if (!shows(f, Date.now())) { if (old) { old.remove(); } return; }
            var template = document.createElement("template");
            template.innerHTML = f.html.trim();
            var row = template.content.firstElementChild;
            if (kind === "belt") { row.dataset.until = f.belt_until; } else if (kind !== "gate") { row.dataset.until = f.until; }
            if (old) {
              old.replaceWith(row);
              return;
            }
            var next = rows.firstElementChild;
            while (next && !before(next, f.t, f.id)) { next = next.nextElementSibling; }
            rows.insertBefore(row, next);
          }
          function apply(data, snapshot) {
            if (snapshot) {
              var named = {};
              data.flights.forEach(function (f) { named[f.id] = true; });
              Array.prototype.slice.call(rows.children).forEach(function (r) {
                if (!named[r.dataset.flightId]) { r.remove(); }
              });
            }
            data.flights.forEach(upsert);
            data.removed.forEach(function (id) { var r = rowOf(id); if (r) { r.remove(); } });
            asOf = data.as_of;
            layout();
          }

          function showState() {
            var live = source !== null && source.readyState === 1;
            body.dataset.stream = live ? "live" : "offline";
            var hidden = live && stale.length === 0;
            asOfText.textContent = hhmm.format(new Date(asOf));
            if (banner.hidden !== hidden) {
              banner.hidden = hidden;
              layout();
            }
          }
          function arm() {
            clearTimeout(watchdog);
            // Two heartbeats missed: the connection is dead even if the socket says otherwise.
            watchdog = setTimeout(function () { reconnect(); }, 35000);
          }
          function reconnect() {
            if (source) { source.close(); source = null; }
            showState();
            clearTimeout(retry);
            retry = setTimeout(connect, 2000);
          }
          function connect() {
            var url = "/board/stream?board=" + encodeURIComponent(kind) + "&resource=" + encodeURIComponent(resource) +
              "&last_event_id=" + encodeURIComponent(lastId || "");
            source = new EventSource(url);
            source.onopen = function () { arm(); showState(); };
            source.onerror = function () {
              if (source && source.readyState === 2) { reconnect(); } else { showState(); }
            };
            function handler(snapshot) {
              return function (event) {
                lastId = event.lastEventId || lastId;
                arm();
                apply(JSON.parse(event.data), snapshot);
                showState();
              };
            }
            source.addEventListener("update", handler(false));
            source.addEventListener("snapshot", handler(true));
            source.addEventListener("status", function (event) {
              arm();
              stale = JSON.parse(event.data).stale || [];
              showState();
            });
          }

          var page = 0;
          function layout() {
            var all = Array.prototype.slice.call(rows.children);
            var now = Date.now();
            all.forEach(function (r) {
              if (r.dataset.until && Number(r.dataset.until) < now) { r.remove(); }
            });
            all = Array.prototype.slice.call(rows.children);
            empty.hidden = all.length > 0;
            all.forEach(function (r) { r.classList.remove("off-page"); });
            var main = rows.closest("main");
            var head = rows.parentElement.tHead.offsetHeight;
            var height = all.length ? all[0].offsetHeight : 1;
            var perPage = Math.max(1, Math.floor((main.clientHeight - head) / Math.max(1, height)));
            var pages = Math.max(1, Math.ceil(all.length / perPage));
            if (page >= pages) { page = 0; }
            all.forEach(function (r, i) {
              if (Math.floor(i / perPage) !== page) { r.classList.add("off-page"); }
            });
            pageText.textContent = pages > 1 ? (page + 1) + " / " + pages : "";
          }
          function nextPage() { page += 1; layout(); }

          var tick = 0;
          function rotateCodeshares() {
            tick += 1;
            Array.prototype.forEach.call(rows.querySelectorAll("td.flight-no"), function (cell) {
              var names = cell.querySelectorAll(".designator");
              if (names.length < 2) { return; }
              Array.prototype.forEach.call(names, function (n, i) { n.classList.toggle("shown", i === tick % names.length); });
            });
          }
          var language = 0;
          function nextLanguage() {
            language = (language + 1) % languages.length;
            body.dataset.lang = languages[language];
          }
          function showClock() { clock.textContent = hhmm.format(new Date()); }

          showClock();
          layout();
          showState();
          connect();
          setInterval(showClock, 1000);
          setInterval(rotateCodeshares, 3000);
          setInterval(nextPage, 10000);
          if (languages.length > 1) { setInterval(nextLanguage, 8000); }
          window.addEventListener("resize", layout);
        })();
        """#
}
