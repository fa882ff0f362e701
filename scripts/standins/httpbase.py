"""What every HTTP stand-in shares: an HTTPS server on loopback (the local CA's certificate),
a record of every request it answered, and a control endpoint that makes it misbehave the way
real providers do.

Control (plain JSON over the same HTTPS port):
  POST /_control {"mode": "ok|status|slow|drop", "status": 503, "count": 5, "seconds": 60,
                  "retry_after": 2, "delay": 1.5, "body": {...}}
      the next `count` requests (or every request for `seconds`; both absent: until reset) get
      that answer: `status` answers that HTTP status (with `Retry-After` when given, and `body` as
      JSON), `slow` waits `delay` seconds before answering normally, `drop` closes the connection
      without a response. With `"path": "/push/abc"` only requests whose path starts with it
      misbehave (and count), and the rule stands beside those for other paths: tests that share
      the stand-in then do not catch, or replace, each other's rules. `{"mode": "ok"}` ends them
      all (with `path`: that path's).
  POST /_reset            back to normal, forget what was received
  GET  /_received         every request answered normally, as JSON lines (also appended to
                          STATE/received.jsonl)
"""

import argparse
import json
import os
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Control:
    """The misbehaviour the tests asked for, consumed request by request: one rule per `path`
    (and one for every path), so tests that share the stand-in keep their rules apart."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rules = {}  # path prefix (None: every path) -> [rule, remaining, until]

    def set(self, rule):
        with self.lock:
            path = rule.get("path")
            if rule.get("mode", "ok") == "ok":
                if path is None:
                    self.rules.clear()
                else:
                    self.rules.pop(path, None)
                return
            until = time.time() + rule["seconds"] if "seconds" in rule else None
            self.rules[path] = [rule, rule.get("count"), until]

    def take(self, path):
        """The rule for this request, or None to answer normally."""
        with self.lock:
            for prefix in sorted(self.rules, key=lambda p: -len(p or "")):  # the most specific first
                if prefix is not None and not path.startswith(prefix):
                    continue
                rule, remaining, until = self.rules[prefix]
                if (until is not None and time.time() > until) or (remaining is not None and remaining <= 0):
                    del self.rules[prefix]
                    continue
                if remaining is not None:
                    self.rules[prefix][1] = remaining - 1
                return rule
            return None


class StandinHandler(BaseHTTPRequestHandler):
    """Subclass and implement `answer(method, path, headers, body) -> (status, headers, body_bytes)`;
    call `self.record(entry)` for what the test should see."""

    protocol_version = "HTTP/1.1"
    server_version = "FlightEdgeStandin/1"

    def log_message(self, fmt, *args):  # quiet: the record is the log
        pass

    def record(self, entry):
        state = self.server.state
        line = json.dumps(entry, sort_keys=True)
        with state["lock"]:
            state["received"].append(entry)
            with open(os.path.join(state["dir"], "received.jsonl"), "a") as f:
                f.write(line + "\n")

    def send(self, status, headers, body):
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def handle_any(self, method):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        state = self.server.state
        if self.path == "/_control" and method == "POST":
            state["control"].set(json.loads(body or b"{}"))
            return self.send(200, {"Content-Type": "application/json"}, b"{}")
        if self.path == "/_reset" and method == "POST":
            state["control"].set({})
            with state["lock"]:
                state["received"].clear()
                open(os.path.join(state["dir"], "received.jsonl"), "w").close()
            return self.send(200, {"Content-Type": "application/json"}, b"{}")
        if self.path == "/_received" and method == "GET":
            with state["lock"]:
                lines = "".join(json.dumps(e, sort_keys=True) + "\n" for e in state["received"])
            return self.send(200, {"Content-Type": "application/x-ndjson"}, lines.encode())
        rule = state["control"].take(self.path)
        if rule is not None:
            mode = rule.get("mode")
            if mode == "drop":
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if mode == "slow":
                time.sleep(float(rule.get("delay", 1.0)))
            elif mode == "status":
                headers = {"Content-Type": "application/json"}
                if "retry_after" in rule:
                    headers["Retry-After"] = str(rule["retry_after"])
                payload = json.dumps(rule.get("body", {"error": "stand-in told to fail"})).encode()
                return self.send(int(rule.get("status", 500)), headers, payload)
        status, headers, payload = self.answer(method, self.path, self.headers, body)
        self.send(status, headers, payload)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def answer(self, method, path, headers, body):
        raise NotImplementedError


def serve(handler_class, description, extra_state=None):
    """Parses the launcher's arguments and serves HTTPS until killed."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", required=True, help="folder for what was received")
    parser.add_argument("--tls", required=True, help="folder with server.pem, server.key")
    args = parser.parse_args()
    os.makedirs(args.state, exist_ok=True)
    server = ThreadingHTTPServer(("127.0.0.1", args.port), handler_class)
    server.daemon_threads = True
    server.state = {"dir": args.state, "lock": threading.Lock(), "received": [], "control": Control(),
                    "base_url": f"https://127.0.0.1:{args.port}", **(extra_state or {})}
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(args.tls, "server.pem"), os.path.join(args.tls, "server.key"))
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.serve_forever()
