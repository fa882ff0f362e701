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
          // Rows by flight id (a row another path took out of the list no longer counts).
          var byId = Object.create(null);
          Array.prototype.forEach.call(rows.children, function (r) { byId[r.dataset.flightId] = r; });
          function rowOf(id) {
            var r = byId[id];
            return r && r.parentNode === rows ? r : null;
          }
          function before(a, t, id) {
            var at = Number(a.dataset.t);
            return at > t || (at === t && a.dataset.flightId > id);
          }
          // The status words of every language, as the page has them.
          var statusWords = {};
          var wordsTemplate = document.getElementById("status-words");
          if (wordsTemplate) {
            Array.prototype.forEach.call(wordsTemplate.content.children, function (s) { statusWords[s.dataset.status] = s; });
          }
          function cell(name, field, text) {
            var td = document.createElement("td");
            td.className = name;
            td.dataset.field = field;
            if (text) { td.textContent = text; }
            return td;
          }
          // The row BoardRow.html renders on the server, from an event's values (text only: no markup to escape).
          function build(f) {
            var row = document.createElement("tr");
            row.className = "flight st-" + f.st;
            row.dataset.flightId = f.id;
            row.dataset.t = f.t;
            if (kind === "belt") { row.dataset.until = f.belt_until; } else if (kind !== "gate") { row.dataset.until = f.until; }
            row.appendChild(cell("time", "scheduled", f.sched));
            row.appendChild(cell("expected", "estimated", f.est));
            var flight = cell("flight-no", "flight");
            f.des.forEach(function (name, i) {
              var span = document.createElement("span");
              span.className = i === 0 ? "designator shown" : "designator";
              span.textContent = name;
              flight.appendChild(span);
            });
            row.appendChild(flight);
            var place = cell("place", f.dir === "D" ? "destination" : "origin");
            if (f.place != null) {
              place.appendChild(document.createTextNode(f.name));
              var code = document.createElement("small");
              code.textContent = f.place;
              place.appendChild(code);
            }
            row.appendChild(place);
            row.appendChild(cell("gate", "gate", f.gate));
            if (f.dir === "A") { row.appendChild(cell("belt", "belt", f.belt)); }
            var status = cell("status", "status");
            status.dataset.status = f.st;
            var words = statusWords[f.st];
            if (words) {
              Array.prototype.forEach.call(words.childNodes, function (n) { status.appendChild(n.cloneNode(true)); });
            } else {
              status.textContent = f.st;
            }
            row.appendChild(status);
            return row;
          }
          function upsert(f) {
            var old = rowOf(f.id);
            if (!shows(f, Date.now())) { if (old) { old.remove(); } return; }
            var row = build(f);
            byId[f.id] = row;
            if (old && old.dataset.t === row.dataset.t) {
              old.replaceWith(row);
              return;
            }
            if (old) { old.remove(); }
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
            data.removed.forEach(function (id) { var r = rowOf(id); if (r) { r.remove(); } delete byId[id]; });
            asOf = data.as_of;
            scheduleLayout();
          }

          function showState() {
            var live = source !== null && source.readyState === 1;
            var state = live ? "live" : "offline";
            // Only what changed is written: each write to the document costs it a style pass.
            if (body.dataset.stream !== state) { body.dataset.stream = state; }
            var hidden = live && stale.length === 0;
            var asOfShown = hhmm.format(new Date(asOf));
            if (asOfText.textContent !== asOfShown) { asOfText.textContent = asOfShown; }
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
          // Pages the list: takes rows whose time is up, then shows the rows of the current page.
          function layout() {
            var now = Date.now();
            var all = [];
            Array.prototype.slice.call(rows.children).forEach(function (r) {
              if (r.dataset.until && Number(r.dataset.until) < now) { r.remove(); } else { all.push(r); }
            });
            if (empty.hidden !== all.length > 0) { empty.hidden = all.length > 0; }
            var main = rows.closest("main");
            var head = rows.parentElement.tHead.offsetHeight;
            var height = 1;
            if (all.length) {
              // A row on another page has no height: the first one is measured shown.
              var first = all[0], off = first.classList.contains("off-page");
              if (off) { first.classList.remove("off-page"); }
              height = first.offsetHeight;
              if (off) { first.classList.add("off-page"); }
            }
            var perPage = Math.max(1, Math.floor((main.clientHeight - head) / Math.max(1, height)));
            var pages = Math.max(1, Math.ceil(all.length / perPage));
            if (page >= pages) { page = 0; }
            all.forEach(function (r, i) {
              var offPage = Math.floor(i / perPage) !== page;
              if (r.classList.contains("off-page") !== offPage) { r.classList.toggle("off-page", offPage); }
            });
            var label = pages > 1 ? (page + 1) + " / " + pages : "";
            if (pageText.textContent !== label) { pageText.textContent = label; }
          }
          // Updates change the rows at once and lay out the pages once per frame: at hundreds of
          // events a second, laying out after each would keep the page busy and the rows late.
          var layoutPending = false;
          function scheduleLayout() {
            if (layoutPending) { return; }
            layoutPending = true;
            requestAnimationFrame(function () { layoutPending = false; layout(); });
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
