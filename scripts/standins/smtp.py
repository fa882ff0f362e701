"""The SMTP server the relay mails through, for the tests and the demo's mail catcher.

An aiosmtpd server on 127.0.0.1 speaking ESMTP as a submission server does: STARTTLS with the local
CA's certificate (TLSDIR/server.pem, server.key), then AUTH PLAIN or LOGIN (only after STARTTLS;
user `relay`, password `relay-secret`; anything else gets 535). Nothing but EHLO/NOOP/QUIT/STARTTLS
is taken before STARTTLS (530). Every accepted message is kept, readable as it arrived:

  STATE/mail/<n>.eml        the message (n counts up from 1 and goes on after a restart)
  STATE/received.jsonl      one JSON line per message: {"mail_from", "rcpt_tos", "message_id",
                            "subject" (decoded), "to", "list_unsubscribe", "file", "queue_id",
                            "connection" (the TCP connection's number since start), "tls",
                            "auth_user", "text" and "html" (the parts decoded, LF line ends),
                            "pipelined" (RCPT TO was already read when MAIL FROM was handled:
                            the client sent the transaction's commands in one go, RFC 2920)}
  stdout (STATE/log)        one line per connection and per message

and answered `250 OK queued as <n>`. EHLO offers PIPELINING (RFC 2920), as Postfix and Exim do;
the `--plain` server does not (unless `--pipelining`), so both ways of the client are tried.

Failure control: STATE/control.json, read at every RCPT and every end of DATA:
  {"mode": "tempfail|reject-rcpt|reject-rcpt-take-data|reject-data|drop|stall", "count": N,
   "rcpt": "only@this.address"}
    tempfail     the end of DATA gets `451 4.3.0 Try again later` (nothing kept)
    reject-rcpt  RCPT TO gets `550 5.1.1 No such mailbox`
    reject-rcpt-take-data   the same, but DATA is answered 354 all the same (a server that does
                 not check, as RFC 2920 §3.1 warns of); nothing is kept
    reject-data  the end of DATA gets `554 5.6.0 Message refused`
    drop         after the data the connection is closed without a reply (nothing kept)
    stall        after the data no reply comes at all, until the client closes (nothing kept)
  `count` is how many transactions are hit (the file goes when it reaches 0; absent: until the file
  is removed); `rcpt`, when given, limits the rule to transactions to that recipient, so tests that
  share the server at the same time do not catch each other's failures.

Usage (scripts/standins/run passes the first form):
  smtp.py --port P --state DIR --tls TLSDIR
  smtp.py --port 0 --state DIR --plain [--pipelining] [--exit-with-stdin]
      no STARTTLS, no AUTH; prints `listening on 127.0.0.1:P`; with --exit-with-stdin it ends when
      its stdin closes, so a test that dies leaves no server behind
"""

import argparse
import asyncio
import email
import email.policy
import itertools
import json
import logging
import os
import signal
import ssl
import sys
import threading

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

USER, PASSWORD = b"relay", b"relay-secret"


def say(line):
    print(line, flush=True)


class Control:
    """STATE/control.json, read fresh at each check and consumed rule by rule."""

    def __init__(self, state):
        self.path = os.path.join(state, "control.json")

    def take(self, modes, rcpts):
        try:
            with open(self.path) as f:
                rule = json.load(f)
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        if rule.get("mode") not in modes:
            return None
        wanted = rule.get("rcpt")
        if wanted is not None and wanted.lower() not in (r.lower() for r in rcpts):
            return None
        count = rule.get("count")
        if count is not None:
            if count <= 1:
                os.remove(self.path)
            else:
                rule["count"] = count - 1
                tmp = self.path + ".tmp"
                with open(tmp, "w") as f:
                    json.dump(rule, f)
                os.replace(tmp, self.path)
        return rule["mode"]


class Recorder:
    """The aiosmtpd handler: keeps accepted messages, applies the control file."""

    def __init__(self, state):
        self.state = state
        self.control = Control(state)
        self.mail = os.path.join(state, "mail")
        os.makedirs(self.mail, exist_ok=True)
        numbers = [int(n[:-4]) for n in os.listdir(self.mail) if n.endswith(".eml") and n[:-4].isdigit()]
        self.next_number = max(numbers, default=0) + 1

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        if server.pipelining:
            responses.insert(-1, "250-PIPELINING")
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        # What the client sent after MAIL FROM without waiting for its reply is already read.
        envelope.pipelined = bytes(server._reader._buffer).upper().startswith(b"RCPT")
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        mode = self.control.take({"reject-rcpt", "reject-rcpt-take-data"}, [address])
        if mode:
            say(f"connection {session.connection}: RCPT {address} refused (control)")
            if mode == "reject-rcpt-take-data":
                envelope.rcpt_tos.append(address)  # so aiosmtpd answers DATA with 354
                envelope.refused = True
            return f"550 5.1.1 <{address}>: No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if getattr(envelope, "refused", False):
            say(f"connection {session.connection}: data for a refused recipient dropped (control)")
            return "554 5.5.1 No valid recipients"
        mode = self.control.take({"tempfail", "reject-data", "drop", "stall"}, envelope.rcpt_tos)
        if mode == "tempfail":
            say(f"connection {session.connection}: DATA tempfailed (control)")
            return "451 4.3.0 Try again later"
        if mode == "reject-data":
            say(f"connection {session.connection}: DATA refused (control)")
            return "554 5.6.0 Message refused"
        if mode == "stall":
            say(f"connection {session.connection}: stalling after DATA (control)")
            await asyncio.sleep(3600)  # until the client gives up and closes the connection
        if mode == "drop":
            say(f"connection {session.connection}: dropped after DATA (control)")
            server.transport.close()
            await asyncio.sleep(3600)  # connection_lost cancels this task: no reply goes out
        number = self.next_number
        self.next_number += 1
        name = f"{number}.eml"
        content = envelope.original_content.replace(b"\r\n", b"\n")  # a person reads these files
        with open(os.path.join(self.mail, name), "wb") as f:
            f.write(content)
        message = email.message_from_bytes(content, policy=email.policy.default)
        login = getattr(session, "login", None)
        text, html = (message.get_body(preferencelist=(kind,)) for kind in ("plain", "html"))
        entry = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "message_id": message.get("Message-ID"),
            "subject": str(message.get("Subject", "")),
            "to": str(message.get("To", "")),
            "list_unsubscribe": message.get("List-Unsubscribe"),
            "file": os.path.join("mail", name),
            "queue_id": str(number),
            "connection": session.connection,
            "tls": session.ssl is not None,
            "auth_user": login.decode() if login else None,
            "text": text.get_content() if text else None,
            "html": html.get_content() if html else None,
            "pipelined": getattr(envelope, "pipelined", False),
        }
        with open(os.path.join(self.state, "received.jsonl"), "a") as f:
            f.write(json.dumps(entry, sort_keys=True) + "\n")
        say(f"connection {session.connection}: {name} from {envelope.mail_from} to {envelope.rcpt_tos}")
        return f"250 OK queued as {number}"


def authenticate(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword) and auth_data.login == USER and auth_data.password == PASSWORD:
        session.login = auth_data.login
        return AuthResult(success=True)
    return AuthResult(success=False, handled=False)


connections = itertools.count(1)


class RecordingSMTP(SMTP):
    """Numbers each TCP connection (a STARTTLS upgrade is the same one) and keeps it, and the
    login, on the session aiosmtpd renews at the upgrade."""

    pipelining = True

    def connection_made(self, transport):
        upgrading = self._original_transport is not None
        login = getattr(self.session, "login", None) if upgrading else None
        if not upgrading:
            self.connection_number = next(connections)
            say(f"connection {self.connection_number}: opened")
        super().connection_made(transport)
        self.session.connection = self.connection_number
        self.session.login = login


async def serve(args):
    handler = Recorder(args.state)
    options = {"hostname": "standin.flightedge.test", "ident": "FlightEdge SMTP stand-in"}
    if not args.plain:
        tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        tls.load_cert_chain(os.path.join(args.tls, "server.pem"), os.path.join(args.tls, "server.key"))
        options.update(tls_context=tls, require_starttls=True, authenticator=authenticate, auth_require_tls=True)
    loop = asyncio.get_running_loop()
    RecordingSMTP.pipelining = not args.plain or args.pipelining
    server = await loop.create_server(lambda: RecordingSMTP(handler, loop=loop, **options), "127.0.0.1", args.port)
    port = server.sockets[0].getsockname()[1]
    say(f"listening on 127.0.0.1:{port}" + (" (plain: no STARTTLS, no AUTH)" if args.plain else ""))
    async with server:
        await server.serve_forever()


def main():
    logging.getLogger("mail.log").setLevel(logging.ERROR)  # aiosmtpd's own warning at each AUTH (login_data)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--state", required=True)
    parser.add_argument("--tls", help="folder with server.pem and server.key (STARTTLS)")
    parser.add_argument("--plain", action="store_true", help="offer neither STARTTLS nor AUTH")
    parser.add_argument("--pipelining", action="store_true", help="with --plain: offer PIPELINING all the same")
    parser.add_argument("--exit-with-stdin", action="store_true", help="end when stdin closes (its parent is gone)")
    args = parser.parse_args()
    if not args.plain and not args.tls:
        parser.error("--tls is required unless --plain")
    os.makedirs(args.state, exist_ok=True)
    # A parent that spawns from a thread with signals blocked (Foundation's Process under a test
    # runner) passes that mask on: without this, SIGTERM would never end the stand-in.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    if args.exit_with_stdin:
        threading.Thread(target=lambda: (sys.stdin.read(), os._exit(0)), daemon=True).start()
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
