"""Twilio's Messages API (REST, 2010-04-01), on loopback, with signed status callbacks.

Account ACtest, auth token twilio-secret (HTTP Basic auth, as Twilio's API wants).

Endpoints:
  POST /2010-04-01/Accounts/<sid>/Messages.json   form fields To, From, Body, StatusCallback (optional)
      401 {"code": 20003} without the right credentials or for another account;
      400 {"code": 21604|21603|21602} when To, From or Body is missing;
      400 {"code": 21211} when To is no E.164 number; 400 {"code": 21610} when To replied STOP;
      400 {"code": 21614} when To is no mobile number; 400 {"code": 21617} for a Body over 1600 characters;
      201 {"sid": "SM...", "status": "queued", ...} otherwise.
  When StatusCallback was given, a moment after the 201 it POSTs MessageSid, SmsSid, MessageStatus
  (delivered), SmsStatus, To, From, AccountSid, ApiVersion to it, form-encoded and signed with
  X-Twilio-Signature = base64(HMAC-SHA1(auth token, URL + each parameter's name and value, sorted by
  name)). An https callback is sent without checking the certificate. Whether it got through or not,
  it is recorded as {"kind": "callback", "url", "params", "signature", "delivered", "status"|"error"}.
  GET /2010-04-01/Accounts/<sid>/Messages.json   the messages taken, newest first: filters To, From,
      DateSent / DateSent< / DateSent> (YYYY-MM-DD, UTC), PageSize (default 50, at most 1000), Page;
      {"messages": [...], "page", "page_size", "next_page_uri" (null on the last page), ...}.
Control, besides httpbase's /_control, /_reset, /_received:
  POST /_stop {"number": "+4179..."}       that number answers 21610 (the recipient replied STOP)
  POST /_landline {"number": "+4144..."}   that number answers 21614 (not a mobile number)
Recorded (received.jsonl): {"kind": "message", "sid", "to", "from", "body", "status_callback"}.
"""

import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import ssl
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpbase import StandinHandler, serve  # noqa: E402

ACCOUNT_SID = "ACtest"
AUTH_TOKEN = "twilio-secret"
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/([^/]+)/Messages\.json$")
E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
CALLBACK_DELAY = 0.3


def twilio_error(status, code, message):
    body = {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
            "status": status}
    return status, {"Content-Type": "application/json"}, json.dumps(body).encode()


def rfc2822(seconds):
    return time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(seconds))


def signature(url, params):
    """X-Twilio-Signature, computed here independently of the relay's code."""
    data = url + "".join(name + params[name] for name in sorted(params))
    digest = hmac.new(AUTH_TOKEN.encode(), data.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


class TwilioHandler(StandinHandler):
    def handle_any(self, method):
        state = self.server.state
        if method == "POST" and self.path in ("/_stop", "/_landline"):
            length = int(self.headers.get("Content-Length") or 0)
            number = json.loads(self.rfile.read(length) or b"{}")["number"]
            with state["lock"]:
                state["stopped" if self.path == "/_stop" else "landlines"].add(number)
            return self.send(200, {"Content-Type": "application/json"}, b"{}")
        if method == "POST" and self.path == "/_reset":
            with state["lock"]:
                state["stopped"].clear()
                state["landlines"].clear()
                state["messages"].clear()
        return super().handle_any(method)

    def answer(self, method, path, headers, body):
        path, _, query = path.partition("?")
        match = MESSAGES_PATH.match(path)
        if method not in ("POST", "GET") or not match:
            return twilio_error(404, 20404, f"The requested resource {path} was not found")
        expected = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
        if not hmac.compare_digest(headers.get("Authorization", ""), expected) or match.group(1) != ACCOUNT_SID:
            return twilio_error(401, 20003, "Authenticate")
        if method == "GET":
            return self.list_messages(path, query)
        form = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode(), keep_blank_values=True).items()}
        to, sender, text = form.get("To", ""), form.get("From", ""), form.get("Body", "")
        if not to:
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        if not sender:
            return twilio_error(400, 21603, "A 'From' phone number is required.")
        if not text:
            return twilio_error(400, 21602, "Message body is required.")
        if not E164.match(to):
            return twilio_error(400, 21211, f"Invalid 'To' Phone Number: {to}")
        if len(text) > 1600:
            return twilio_error(400, 21617, "The concatenated message body exceeds the 1600 character limit.")
        state = self.server.state
        with state["lock"]:
            stopped, landline = to in state["stopped"], to in state["landlines"]
        if stopped:
            return twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")
        if landline:
            return twilio_error(400, 21614, f"'To' number {to} is not a valid mobile number")
        sid = "SM" + secrets.token_hex(16)
        callback = form.get("StatusCallback")
        self.record({"kind": "message", "sid": sid, "to": to, "from": sender, "body": text,
                     "status_callback": callback})
        if callback:
            params = {"MessageSid": sid, "SmsSid": sid, "MessageStatus": "delivered", "SmsStatus": "delivered",
                      "To": to, "From": sender, "AccountSid": ACCOUNT_SID, "ApiVersion": "2010-04-01"}
            threading.Timer(CALLBACK_DELAY, self.call_back, (callback, params)).start()
        now = time.time()
        stamp = rfc2822(now)
        answer = {"sid": sid, "account_sid": ACCOUNT_SID, "to": to, "from": sender, "body": text,
                  "status": "queued", "num_segments": str(max(1, -(-len(text) // 153))), "direction": "outbound-api",
                  "api_version": "2010-04-01", "date_created": stamp, "date_updated": stamp, "date_sent": None,
                  "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json"}
        with state["lock"]:
            state["messages"].append((now, answer))
        return 201, {"Content-Type": "application/json"}, json.dumps(answer).encode()

    def list_messages(self, path, query):
        params = {k: v[-1] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        try:
            size = min(1000, max(1, int(params.get("PageSize", "50"))))
            page = max(0, int(params.get("Page", "0")))
        except ValueError:
            return twilio_error(400, 20001, "PageSize and Page must be integers")
        days = {}
        for name, test in (("DateSent", lambda d, v: d == v), ("DateSent<", lambda d, v: d <= v),
                           ("DateSent>", lambda d, v: d >= v)):
            if name in params:
                days[name] = (test, params[name])
        with self.server.state["lock"]:
            taken = list(self.server.state["messages"])
        chosen = []
        # Newest first, as Twilio lists them; a message counts as sent when it was taken.
        for created, message in reversed(taken):
            if params.get("To") and message["to"] != params["To"]:
                continue
            if params.get("From") and message["from"] != params["From"]:
                continue
            day = time.strftime("%Y-%m-%d", time.gmtime(created))
            if not all(test(day, value) for test, value in days.values()):
                continue
            chosen.append(dict(message, date_sent=message["date_created"]))
        start = page * size
        rest = {k: v for k, v in params.items() if k != "Page"}

        def page_uri(number):
            return path + "?" + urllib.parse.urlencode(dict(rest, PageSize=size, Page=number))
        answer = {"messages": chosen[start:start + size], "page": page, "page_size": size, "start": start,
                  "end": min(len(chosen), start + size) - 1, "uri": page_uri(page), "first_page_uri": page_uri(0),
                  "previous_page_uri": page_uri(page - 1) if page > 0 else None,
                  "next_page_uri": page_uri(page + 1) if start + size < len(chosen) else None}
        return 200, {"Content-Type": "application/json"}, json.dumps(answer).encode()

    def call_back(self, url, params):
        signed = signature(url, params)
        entry = {"kind": "callback", "url": url, "params": params, "signature": signed}
        request = urllib.request.Request(url, data=urllib.parse.urlencode(params).encode(), method="POST", headers={
            "Content-Type": "application/x-www-form-urlencoded", "X-Twilio-Signature": signed,
            "User-Agent": "TwilioProxy/1.1"})
        unverified = ssl._create_unverified_context()
        try:
            with urllib.request.urlopen(request, timeout=5, context=unverified) as response:
                entry.update(delivered=True, status=response.status)
        except urllib.error.HTTPError as error:
            entry.update(delivered=False, status=error.code)
        except Exception as error:  # the relay may be down: record it, never crash the stand-in
            entry.update(delivered=False, error=str(error))
        self.record(entry)


if __name__ == "__main__":
    serve(TwilioHandler, "Twilio Messages API stand-in", {"stopped": set(), "landlines": set(), "messages": []})
