"""Firebase Cloud Messaging HTTP v1 and Google's OAuth 2.0 token endpoint, on loopback.

At start it makes a service account of its own (a fresh RSA key) and writes it where the relay
and the tests read it:
  STATE/service-account.json           type, project_id, private_key_id, private_key, client_email,
                                       token_uri = https://127.0.0.1:PORT/token
  STATE/service-account-foreign.json   the same account with another RSA key: Google refuses it

Endpoints:
  POST /token    grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=<JWT>
                 checks the RS256 signature against the account's key, iss, aud (the token_uri),
                 scope (firebase.messaging), iat and exp (at most an hour apart, not expired);
                 200 {"access_token", "expires_in", "token_type": "Bearer"}, else 400 invalid_grant
  POST /v1/projects/<project>/messages:send
                 Bearer token from /token, unexpired (401 UNAUTHENTICATED otherwise); the account's
                 project (403 PERMISSION_DENIED otherwise); the message's shape (400 INVALID_ARGUMENT:
                 token, notification title/body, android priority/ttl, data values as strings,
                 webpush Topic); 404 UNREGISTERED for a token made gone; 200 {"name": ...}
Control, besides httpbase's /_control, /_reset, /_received:
  POST /_unregister {"token": "..."}   that registration token answers 404 UNREGISTERED from now on
  POST /_token_ttl {"seconds": 5}      lifetime of the access tokens issued from now on (default 3600)
  POST /_revoke {"access_token": "..."}  that access token answers 401 UNAUTHENTICATED from now on
Recorded (received.jsonl): {"kind": "token", ...} per token issued, {"kind": "message", ...} per
message accepted, with the bearer token it came with.
"""

import argparse
import base64
import json
import os
import re
import secrets
import sys
import time
import urllib.parse

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpbase import StandinHandler, serve  # noqa: E402

PROJECT = "flightedge-standin"
CLIENT_EMAIL = f"relay@{PROJECT}.iam.gserviceaccount.com"
SCOPE = "https://www.googleapis.com/auth/firebase.messaging"
GRANT_TYPE = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SEND_PATH = re.compile(r"^/v1/projects/([^/]+)/messages:send$")
TTL_PATTERN = re.compile(r"^\d+(\.\d{1,9})?s$")
TOPIC_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


def b64url_decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption()).decode()


def write_account(path, key, key_id, token_uri):
    account = {"type": "service_account", "project_id": PROJECT, "private_key_id": key_id,
               "private_key": pem(key), "client_email": CLIENT_EMAIL, "client_id": "1000000000000000000001",
               "token_uri": token_uri}
    with open(path + ".tmp", "w") as f:
        json.dump(account, f, indent=2)
    os.replace(path + ".tmp", path)


def google_error(status, code, message, fcm_code=None):
    error = {"code": status, "message": message, "status": code}
    if fcm_code:
        error["details"] = [{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": fcm_code}]
    return status, {"Content-Type": "application/json"}, json.dumps({"error": error}).encode()


def message_problem(message):
    """What is wrong with a v1 message, or None when FCM would take it."""
    if not isinstance(message, dict):
        return "message is missing"
    if not isinstance(message.get("token"), str) or not message["token"]:
        return "message.token is missing"
    notification = message.get("notification")
    if not isinstance(notification, dict) or not all(isinstance(notification.get(k), str) for k in ("title", "body")):
        return "message.notification needs title and body"
    android = message.get("android", {})
    if android.get("priority", "normal") not in ("normal", "high"):
        return f"android.priority {android.get('priority')!r} is neither normal nor high"
    if "ttl" in android and not TTL_PATTERN.match(str(android["ttl"])):
        return f"android.ttl {android['ttl']!r} is no duration such as \"3600s\""
    data = message.get("data", {})
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        return "message.data values must be strings"
    for headers in (message.get("apns", {}).get("headers", {}), message.get("webpush", {}).get("headers", {})):
        if not all(isinstance(v, str) for v in headers.values()):
            return "header values must be strings"
    topic = message.get("webpush", {}).get("headers", {}).get("Topic")
    if topic is not None and not TOPIC_PATTERN.match(topic):
        return f"webpush Topic {topic!r} is not 1-32 base64url characters"
    return None


class FCMHandler(StandinHandler):
    def handle_any(self, method):
        state = self.server.state
        if method == "POST" and self.path in ("/_unregister", "/_token_ttl", "/_revoke"):
            length = int(self.headers.get("Content-Length") or 0)
            request = json.loads(self.rfile.read(length) or b"{}")
            with state["lock"]:
                if self.path == "/_unregister":
                    state["unregistered"].add(request["token"])
                elif self.path == "/_revoke":
                    state["tokens"].pop(request["access_token"], None)
                else:
                    state["token_ttl"] = int(request["seconds"])
            return self.send(200, {"Content-Type": "application/json"}, b"{}")
        if method == "POST" and self.path == "/_reset":
            with state["lock"]:
                state["unregistered"].clear()
                state["token_ttl"] = 3600
        return super().handle_any(method)

    def answer(self, method, path, headers, body):
        if method == "POST" and path == "/token":
            return self.issue_token(body)
        match = SEND_PATH.match(path)
        if method == "POST" and match:
            return self.send_message(match.group(1), headers, body)
        return google_error(404, "NOT_FOUND", f"no such endpoint: {method} {path}")

    def issue_token(self, body):
        state = self.server.state
        form = urllib.parse.parse_qs(body.decode(), keep_blank_values=True)

        def refuse(why):
            return 400, {"Content-Type": "application/json"}, json.dumps(
                {"error": "invalid_grant", "error_description": why}).encode()

        if form.get("grant_type") != [GRANT_TYPE]:
            return 400, {"Content-Type": "application/json"}, json.dumps(
                {"error": "unsupported_grant_type", "error_description": "Invalid grant_type"}).encode()
        parts = form.get("assertion", [""])[0].split(".")
        if len(parts) != 3:
            return refuse("assertion is no JWT")
        try:
            header = json.loads(b64url_decode(parts[0]))
            claims = json.loads(b64url_decode(parts[1]))
            signature = b64url_decode(parts[2])
        except ValueError:
            return refuse("assertion is no JWT")
        if header.get("alg") != "RS256":
            return refuse(f"alg {header.get('alg')!r} is not RS256")
        try:
            state["key"].public_key().verify(signature, f"{parts[0]}.{parts[1]}".encode(),
                                             padding.PKCS1v15(), hashes.SHA256())
        except InvalidSignature:
            return refuse("Invalid JWT Signature.")
        now = time.time()
        if claims.get("iss") != CLIENT_EMAIL:
            return refuse(f"iss {claims.get('iss')!r} is not the service account")
        if claims.get("aud") != state["token_uri"]:
            return refuse(f"aud {claims.get('aud')!r} is not {state['token_uri']}")
        if SCOPE not in str(claims.get("scope", "")).split(" "):
            return refuse(f"scope {claims.get('scope')!r} lacks {SCOPE}")
        iat, exp = claims.get("iat"), claims.get("exp")
        if not isinstance(iat, int) or not isinstance(exp, int) or exp - iat > 3600 or exp <= iat:
            return refuse("iat and exp must be integers at most 3600 s apart")
        if exp < now or iat > now + 60:
            return refuse("Invalid JWT: Token must be a short-lived token and in a reasonable timeframe")
        token = "ya29.standin-" + secrets.token_urlsafe(24)
        with state["lock"]:
            ttl = state["token_ttl"]
            state["tokens"][token] = now + ttl
        self.record({"kind": "token", "iss": claims["iss"], "kid": header.get("kid"), "access_token": token,
                     "expires_in": ttl, "time": now})
        return 200, {"Content-Type": "application/json"}, json.dumps(
            {"access_token": token, "expires_in": ttl, "token_type": "Bearer"}).encode()

    def send_message(self, project, headers, body):
        state = self.server.state
        authorization = headers.get("Authorization", "")
        bearer = authorization[len("Bearer "):] if authorization.startswith("Bearer ") else None
        with state["lock"]:
            expiry = state["tokens"].get(bearer)
        if expiry is None or expiry < time.time():
            return google_error(401, "UNAUTHENTICATED",
                                "Request had invalid authentication credentials. Expected OAuth 2 access token.")
        if project != PROJECT:
            return google_error(403, "PERMISSION_DENIED", f"Permission denied on project {project}")
        try:
            message = json.loads(body).get("message")
        except (ValueError, AttributeError):
            return google_error(400, "INVALID_ARGUMENT", "Invalid JSON payload received.", "INVALID_ARGUMENT")
        problem = message_problem(message)
        if problem:
            return google_error(400, "INVALID_ARGUMENT", problem, "INVALID_ARGUMENT")
        with state["lock"]:
            gone = message["token"] in state["unregistered"]
            state["count"] += 1
            name = f"projects/{project}/messages/0:{int(time.time() * 1000)}%{state['count']:08d}"
        if gone:
            return google_error(404, "NOT_FOUND", "Requested entity was not found.", "UNREGISTERED")
        self.record({"kind": "message", "name": name, "project": project, "bearer": bearer, "message": message})
        return 200, {"Content-Type": "application/json"}, json.dumps({"name": name}).encode()


def main():
    parser = argparse.ArgumentParser(add_help=False)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", required=True)
    args, _ = parser.parse_known_args()
    os.makedirs(args.state, exist_ok=True)
    token_uri = f"https://127.0.0.1:{args.port}/token"
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    write_account(os.path.join(args.state, "service-account.json"), key, secrets.token_hex(20), token_uri)
    write_account(os.path.join(args.state, "service-account-foreign.json"), foreign, secrets.token_hex(20), token_uri)
    serve(FCMHandler, "FCM HTTP v1 and Google OAuth stand-in",
          {"key": key, "token_uri": token_uri, "tokens": {}, "token_ttl": 3600, "unregistered": set(),
           "count": 0})


if __name__ == "__main__":
    main()
