/// The passenger pages' files, shipped in the binary (no build step, no external asset):
/// `/assets/passenger.css`, `/assets/passenger.js` and the service worker `/sw.js`.
enum PassengerAssets {
    struct Asset: Sendable {
        var contentType: String
        var body: String
    }

    static func asset(named name: String) -> Asset? {
        switch name {
        case "passenger.css": Asset(contentType: "text/css; charset=utf-8", body: style)
        case "passenger.js": Asset(contentType: "text/javascript; charset=utf-8", body: script)
        default: nil
        }
    }

    /// Mobile first: one column, large touch targets, system fonts; contrast ≥ 4.5:1 for all
    /// text (the status colours included), a visible focus ring, reduced motion honoured.
    static let style = """
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%}
        body{margin:0;font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#14171a;background:#f4f6f8}
        .skip{position:absolute;left:-999px;top:0;background:#fff;color:#0b3d91;padding:.5rem 1rem}
        .skip:focus{left:.5rem;z-index:2}
        .top{background:#0b3d91;color:#fff;padding:.75rem 1rem;display:flex;gap:.75rem;align-items:baseline}
        .top a{color:#fff;font-weight:700;text-decoration:none;font-size:1.15rem}
        main{max-width:44rem;margin:0 auto;padding:1rem}
        main:focus{outline:none}
        h1{font-size:1.5rem;line-height:1.25;margin:.5rem 0 1rem}
        h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
        a{color:#0b3d91}
        :focus-visible{outline:3px solid #c25400;outline-offset:2px}
        form{margin:0 0 1rem}
        .lookup{display:grid;gap:.75rem;grid-template-columns:1fr;background:#fff;padding:1rem;border-radius:.5rem;border:1px solid #ccd3da}
        .field{display:flex;flex-direction:column;gap:.25rem;margin:0 0 .75rem}
        .lookup .field{margin:0}
        label,legend{font-weight:600}
        input,select{font:inherit;padding:.6rem .7rem;border:1px solid #5b6670;border-radius:.4rem;background:#fff;color:#14171a;min-height:2.75rem}
        input[aria-invalid=true],select[aria-invalid=true],fieldset[aria-invalid=true]{border-color:#b00020;border-width:2px}
        fieldset{border:1px solid #ccd3da;border-radius:.5rem;margin:0 0 1rem;padding:.75rem}
        fieldset label{display:flex;align-items:center;gap:.5rem;font-weight:400;min-height:2.5rem}
        input[type=checkbox]{width:1.35rem;height:1.35rem;min-height:0}
        button{font:inherit;font-weight:600;min-height:2.75rem;padding:.6rem 1.2rem;border-radius:.4rem;border:2px solid #0b3d91;background:#0b3d91;color:#fff;cursor:pointer}
        button:hover{background:#082c69}
        button[data-action=unsubscribe]{background:#fff;color:#9b1c1c;border-color:#9b1c1c}
        button[data-action=confirm]{background:#0a6b2d;border-color:#0a6b2d}
        .problem{background:#fdecee;border-left:4px solid #b00020;color:#7a0016;padding:.75rem 1rem;border-radius:.25rem}
        .notice,.state{background:#fff;border-left:4px solid #0b3d91;padding:.75rem 1rem;border-radius:.25rem}
        .state[data-state=active]{border-color:#0a6b2d}
        .hint{color:#46515c;font-size:.9rem}
        .subscribe{background:#fff;padding:1rem;border-radius:.5rem;border:1px solid #ccd3da;margin-top:1rem}
        .subscribe h2{margin-top:0}
        .flights{display:grid;gap:1rem}
        .flight{background:#fff;border:1px solid #ccd3da;border-radius:.5rem;padding:1rem;border-top:6px solid #0b3d91}
        .flight h2{margin:0;font-size:1.3rem;display:flex;flex-wrap:wrap;gap:.5rem;align-items:baseline}
        .flight .route{font-weight:400;color:#46515c}
        .side{margin:.25rem 0 .75rem;color:#46515c}
        .flight dl{display:grid;grid-template-columns:1fr 1fr;gap:.5rem 1rem;margin:0}
        .flight dl div{min-width:0}
        .flight dt{font-size:.85rem;color:#46515c}
        .flight dd{margin:0;font-size:1.25rem;font-weight:700;font-variant-numeric:tabular-nums}
        .flight .delay{font-size:1rem;color:#9b1c1c;white-space:nowrap}
        .flight[data-status=delayed]{border-top-color:#b35900}
        dd[data-status=delayed]{color:#8a4500}
        .flight[data-status=cancelled],.flight[data-status=diverted]{border-top-color:#b00020}
        dd[data-status=cancelled],dd[data-status=diverted]{color:#b00020}
        .flight[data-status=boarding],.flight[data-status=final-call]{border-top-color:#0a6b2d}
        dd[data-status=boarding],dd[data-status=final-call]{color:#0a6b2d}
        .remark{margin:.75rem 0 0;font-style:italic}
        .live-note{color:#46515c;font-size:.9rem}
        body[data-stream=offline] .live-note::after{content:" (reconnecting…)"}
        .timeline{list-style:none;padding:0;margin:0}
        .timeline li{background:#fff;border:1px solid #ccd3da;border-radius:.4rem;padding:.5rem .75rem;margin:.4rem 0}
        .timeline time{font-variant-numeric:tabular-nums;color:#46515c;margin-right:.5rem}
        .timeline .channel{font-weight:600;margin-right:.5rem}
        .timeline .delivery-state{color:#46515c;font-size:.9rem}
        .kinds,.contacts{padding-left:1.25rem}
        @media (min-width:40rem){
          .lookup{grid-template-columns:2fr 2fr auto;align-items:end}
          .flight dl{grid-template-columns:repeat(3,1fr)}
          main{padding:1.5rem}
          h1{font-size:1.9rem}
        }
        @media (min-width:80rem){main{max-width:60rem}.flights{grid-template-columns:repeat(auto-fit,minmax(24rem,1fr))}}
        @media (prefers-reduced-motion:reduce){*{transition:none!important;animation:none!important}}
        """

    /// Progressive enhancement: the pages work without it. It keeps the flight cards and the
    /// timeline live (EventSource on the page's `data-stream-url`, from the state the page was
    /// rendered at; `body[data-stream]` is `live` or `offline`; a watchdog after two missed
    /// heartbeats; reconnection by itself), fills the time zone from the browser, and runs
    /// "Notify me in this browser" (service worker, `PushManager.subscribe` with the relay's
    /// VAPID key, the subscription posted with the form token).
    static let script = #"""
        (function () {
          "use strict";
          var body = document.body;

          var zone = document.querySelector("[data-fill=time-zone]");
          if (zone && zone.value === "UTC") {
            try { zone.value = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch (e) { /* keep UTC */ }
          }

          var url = body.dataset.streamUrl;
          var lastId = body.dataset.lastEventId || "";
          var source = null, watchdog = null, retry = null;
          function showState() {
            body.dataset.stream = source !== null && source.readyState === 1 ? "live" : "offline";
          }
          function arm() {
            clearTimeout(watchdog);
            watchdog = setTimeout(reconnect, 35000);
          }
          function reconnect() {
            if (source) { source.close(); source = null; }
            showState();
            clearTimeout(retry);
            retry = setTimeout(connect, 2000);
          }
          function fromHTML(html) {
            var template = document.createElement("template");
            template.innerHTML = html.trim();
            return template.content.firstElementChild;
          }
          function showFlights(data) {
            var list = document.getElementById("flights");
            if (!list) { return; }
            data.flights.forEach(function (f) {
              var card = fromHTML(f.html);
              var old = null;
              Array.prototype.forEach.call(list.querySelectorAll("[data-flight-id]"), function (c) {
                if (c.dataset.flightId === f.id) { old = c; }
              });
              if (old) { old.replaceWith(card); } else { list.appendChild(card); }
            });
            if (data.flights.length) {
              Array.prototype.forEach.call(list.querySelectorAll("[data-state=unknown-flight]"), function (n) { n.remove(); });
            }
          }
          function showTimeline(data) {
            var old = document.getElementById("timeline");
            if (old) { old.replaceWith(fromHTML(data.html)); }
          }
          function connect() {
            source = new EventSource(url + "&last_event_id=" + encodeURIComponent(lastId));
            source.onopen = function () { arm(); showState(); };
            source.onerror = function () {
              if (source && source.readyState === 2) { reconnect(); } else { showState(); }
            };
            function handler(apply) {
              return function (event) {
                lastId = event.lastEventId || lastId;
                arm();
                apply(JSON.parse(event.data));
                showState();
              };
            }
            source.addEventListener("flight", handler(showFlights));
            source.addEventListener("timeline", handler(showTimeline));
            source.addEventListener("status", function () { arm(); showState(); });
          }
          if (url && window.EventSource) { connect(); }

          var push = document.querySelector("[data-webpush-url]");
          if (push && "serviceWorker" in navigator && "PushManager" in window) {
            push.hidden = false;
            var state = document.getElementById("webpush-state");
            var key = push.dataset.applicationServerKey;
            function bytes(base64url) {
              var text = atob(base64url.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((base64url.length + 3) % 4));
              var out = new Uint8Array(text.length);
              for (var i = 0; i < text.length; i++) { out[i] = text.charCodeAt(i); }
              return out;
            }
            push.querySelector("button").addEventListener("click", function () {
              state.textContent = "Asking your browser…";
              navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(function () {
                return navigator.serviceWorker.ready;
              }).then(function (registration) {
                return registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: bytes(key) });
              }).then(function (subscription) {
                return fetch(push.dataset.webpushUrl, {
                  method: "POST", credentials: "same-origin",
                  headers: { "Content-Type": "application/json", "X-CSRF-Token": push.dataset.csrf },
                  body: JSON.stringify({ subscription: subscription.toJSON() })
                });
              }).then(function (answer) {
                state.textContent = answer.ok ? "This browser will be notified." : "The relay refused it (" + answer.status + ").";
              }).catch(function (error) {
                state.textContent = "Your browser did not allow notifications: " + error.message;
              });
            });
          }
        })();
        """#

    /// The service worker (`/sw.js`, scope `/`): shows each push (`{"title","body","url","tag","id"}`,
    /// WebPushChannel's payload) as a notification, a newer one of a tag replacing the older, and
    /// opens its link on a click.
    ///
    /// A repeat of a delivery (same `id`: the relay sent it again because an instance died before
    /// recording the push service's answer, and Web Push takes no idempotency key) replaces
    /// itself without a second alert (`renotify` false, `silent`); one the passenger dismissed
    /// comes back silently, since Chromium demands a notification per push (`userVisibleOnly`).
    /// The ids shown are kept in the Cache API, the last 200 shown, each with the time it was last
    /// shown (`/seen/<id>` → milliseconds since 1970): an id is recorded once its notification is
    /// on screen, so one that failed to show is not taken for a repeat.
    static let serviceWorker = #"""
        "use strict";
        var SEEN = "flightedge-seen-pushes";
        self.addEventListener("install", function () { self.skipWaiting(); });
        self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });
        function seenKey(id) { return "/seen/" + encodeURIComponent(id); }
        function seenBefore(id) {
          return caches.open(SEEN).then(function (cache) { return cache.match(seenKey(id)); }).then(function (hit) { return !!hit; });
        }
        // A put moves the entry to the end of keys(), so the oldest shown go first.
        function remember(id) {
          return caches.open(SEEN).then(function (cache) {
            return cache.put(seenKey(id), new Response(String(Date.now()))).then(function () { return cache.keys(); }).then(function (keys) {
              return Promise.all(keys.slice(0, Math.max(0, keys.length - 200)).map(function (k) { return cache.delete(k); }));
            });
          });
        }
        function show(data) {
          var seen = data.id ? seenBefore(data.id).catch(function () { return false; }) : Promise.resolve(false);
          return Promise.all([seen, self.registration.getNotifications(data.tag ? { tag: data.tag } : {})]).then(function (found) {
            var onScreen = found[1].some(function (n) { return n.data && data.id && n.data.id === data.id; });
            var repeat = found[0] || onScreen;
            return self.registration.showNotification(data.title || "FlightEdge", {
              body: data.body || "", tag: data.tag || (repeat ? "repeat-" + data.id : undefined),
              renotify: !!data.tag && !repeat, silent: repeat, data: { url: data.url || "/", id: data.id || null }
            });
          }).then(function () {
            return data.id ? remember(data.id).catch(function () {}) : undefined;
          });
        }
        self.addEventListener("push", function (event) {
          var data = {};
          try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: "FlightEdge", body: event.data.text() }; }
          event.waitUntil(show(data));
        });
        self.addEventListener("notificationclick", function (event) {
          event.notification.close();
          var url = (event.notification.data && event.notification.data.url) || "/";
          event.waitUntil(self.clients.openWindow(url));
        });
        """#
}
