"""A Web Push service (RFC 8030) that plays the browser too: it hands out subscriptions whose
private keys it keeps, checks each push's VAPID authorization (RFC 8292) and DECRYPTS its body
with an implementation independent of the relay's (http_ece, RFC 8291 aes128gcm), so a test sees
the plaintext the browser's service worker would get.

  POST   /_subscribe            -> 201 {"endpoint": "https://127.0.0.1:PORT/push/<id>",
                                        "keys": {"p256dh": ..., "auth": ...}}  (PushSubscription.toJSON())
  DELETE /_subscriptions/<id>   -> 204; that endpoint answers 410 Gone from then on (an unsubscribed browser)
  POST   /push/<id>             a push message:
      404 unknown subscription, 410 after the DELETE above;
      401 no `Authorization: vapid t=<jwt>, k=<key>` (or not parseable);
      403 the JWT's ES256 signature does not verify with `k`, its header is not ES256, `aud` is not
          this service's origin, `exp` is past or more than 24 h ahead, `sub` is not mailto:/https:;
      400 no TTL header, Content-Encoding not aes128gcm, or a body that does not decrypt;
      201 with `Location: https://127.0.0.1:PORT/message/<n>`, recording
          {"subscription", "plaintext" (the decrypted JSON, parsed), "plaintext_text" (as sent),
           "ttl", "urgency", "topic", "vapid_sub", "aud", "exp", "location"}.
Failure modes (status, slow, drop) and GET /_received come from httpbase (see its header).
"""

import base64
import json
import os
import re
import sys
import time
import uuid

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

sys.dont_write_bytecode = True  # no __pycache__ in the work tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from httpbase import StandinHandler, serve  # noqa: E402

MAX_EXP_SECONDS = 24 * 3600
AUTH_PATTERN = re.compile(r"^vapid\s+t=([A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+\.[A-Za-z0-9_\-]+)\s*,\s*k=([A-Za-z0-9_\-]+=*)\s*$")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def json_answer(status, value, extra=None):
    return status, {"Content-Type": "application/json", **(extra or {})}, json.dumps(value).encode()


class WebPushHandler(StandinHandler):
    def answer(self, method, path, headers, body):
        if method == "POST" and path == "/_subscribe":
            return self.subscribe()
        match = re.fullmatch(r"/_subscriptions/([A-Za-z0-9_\-]+)", path)
        if method == "DELETE" and match:
            return self.unsubscribe(match.group(1))
        match = re.fullmatch(r"/push/([A-Za-z0-9_\-]+)", path)
        if method == "POST" and match:
            return self.push(match.group(1), headers, body)
        return json_answer(404, {"error": f"no route {method} {path}"})

    def subscribe(self):
        state = self.server.state
        private_key = ec.generate_private_key(ec.SECP256R1())
        auth = os.urandom(16)
        sid = uuid.uuid4().hex
        with state["lock"]:
            state["subscriptions"][sid] = {"key": private_key, "auth": auth, "gone": False}
        public = private_key.public_key().public_bytes(serialization.Encoding.X962,
                                                       serialization.PublicFormat.UncompressedPoint)
        return json_answer(201, {"endpoint": f"{state['base_url']}/push/{sid}",
                                 "keys": {"p256dh": b64url(public), "auth": b64url(auth)}})

    def unsubscribe(self, sid):
        state = self.server.state
        with state["lock"]:
            subscription = state["subscriptions"].get(sid)
            if subscription is None:
                return json_answer(404, {"error": "no such subscription"})
            subscription["gone"] = True
        return 204, {}, b""

    def push(self, sid, headers, body):
        state = self.server.state
        with state["lock"]:
            subscription = state["subscriptions"].get(sid)
        if subscription is None:
            return json_answer(404, {"error": "no such subscription"})
        if subscription["gone"]:
            return json_answer(410, {"error": "push subscription has unsubscribed or expired"})
        problem, claims = self.check_vapid(headers.get("Authorization"))
        if problem is not None:
            return json_answer(problem[0], {"error": problem[1]})
        if headers.get("TTL") is None or not headers.get("TTL").isdigit():
            return json_answer(400, {"error": "a TTL header (seconds) is required"})
        if (headers.get("Content-Encoding") or "").lower() != "aes128gcm":
            return json_answer(400, {"error": f"Content-Encoding must be aes128gcm, not {headers.get('Content-Encoding')}"})
        try:
            plaintext = http_ece.decrypt(body, private_key=subscription["key"], auth_secret=subscription["auth"],
                                         version="aes128gcm")
        except Exception as error:  # http_ece raises several kinds; all mean "not for this browser"
            return json_answer(400, {"error": f"the body does not decrypt: {error!r}"})
        text = plaintext.decode("utf-8", errors="replace")
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        with state["lock"]:
            state["messages"] += 1
            location = f"{state['base_url']}/message/{state['messages']}"
        self.record({"subscription": sid, "plaintext": parsed, "plaintext_text": text,
                     "ttl": int(headers.get("TTL")), "urgency": headers.get("Urgency"), "topic": headers.get("Topic"),
                     "vapid_sub": claims.get("sub"), "aud": claims.get("aud"), "exp": claims.get("exp"),
                     "location": location})
        return 201, {"Location": location}, b""

    def check_vapid(self, authorization):
        """((status, reason), None) when refused, (None, claims) when the token is good."""
        match = AUTH_PATTERN.match(authorization or "")
        if match is None:
            return (401, "Authorization must be 'vapid t=<jwt>, k=<key>'"), None
        token, key_text = match.groups()
        try:
            public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key_text))
        except ValueError:
            return (401, "k is not a P-256 public key"), None
        header_part, claims_part, signature_part = token.split(".")
        try:
            header = json.loads(unb64url(header_part))
            claims = json.loads(unb64url(claims_part))
            signature = unb64url(signature_part)
        except ValueError:
            return (401, "the JWT is not base64url JSON"), None
        if header.get("alg") != "ES256" or len(signature) != 64:
            return (403, f"the JWT must be ES256 with a 64-byte signature (alg {header.get('alg')})"), None
        der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
        try:
            public_key.verify(der, f"{header_part}.{claims_part}".encode(), ec.ECDSA(hashes.SHA256()))
        except InvalidSignature:
            return (403, "the JWT's signature does not verify with k"), None
        origin = self.server.state["base_url"]
        if claims.get("aud") != origin:
            return (403, f"aud is {claims.get('aud')!r}, this push service is {origin}"), None
        exp, now = claims.get("exp"), time.time()
        if not isinstance(exp, int) or exp <= now or exp > now + MAX_EXP_SECONDS + 60:
            return (403, f"exp {exp!r} must be in the future and at most 24 h ahead"), None
        sub = claims.get("sub")
        if not isinstance(sub, str) or not (sub.startswith("mailto:") or sub.startswith("https:")):
            return (403, f"sub {sub!r} must be a mailto: or https: URI"), None
        return None, claims


if __name__ == "__main__":
    serve(WebPushHandler, "Web Push service stand-in (RFC 8030/8291/8292)",
          extra_state={"subscriptions": {}, "messages": 0})
