#!/usr/bin/env python3
"""Loopback stand-in for ntfy's publishing API, and a recorder for webhooks
(and Apprise's json:// notifications), for notify-unit's tests.

Standard library only (Python 3.11). Usage:

    python3 push_server.py --port 0 [--token tk_...] [--user USER:PASS]

Binds 127.0.0.1, prints exactly one line "PORT <n>" to stdout, then serves
until SIGTERM/SIGINT.

ntfy (binwiederhier/ntfy docs/publish.md, server/errors.go, server/config.go):
    POST|PUT /<topic>   topic [-_A-Za-z0-9]{1,64}; the body is the message.
    Headers, case-insensitive with their aliases: Title (X-Title, t), RFC 2047
    encoded words decoded; Priority (X-Priority, prio, p): 1-5 or min, low,
    default, high, max, urgent, else 400 code 40007; Tags (X-Tags, tag, ta).
    With --token/--user, Authorization (Bearer TOKEN or Basic base64(user:pass))
    is required: none is 401 (40101), a wrong one 403 (40301).
    A message over 4,096 bytes becomes an attachment; this server, like one
    without an attachment cache, answers 400 code 40014.
    200 with the message as JSON on success.
Webhooks: POST /hook/<anything> records the body and answers 200 "ok".

Control endpoints (never recorded):
    GET  /_control/requests  -> JSON array of recorded requests
    POST /_control/faults    -> JSON list of faults, each used by one request:
                                {"status": 500} or {"status": 429} (ntfy's rate
                                limit: body 42901, no Retry-After, as ntfy sends);
                                with "echo": true, the answer holds the
                                request's headers (a hostile or debug peer)
    POST /_control/reset     -> clear recorded requests and the fault queue
"""

import argparse
import base64
import email.header
import json
import re
import sys
import time
from http.server import BaseHTTPRequestHandler

from loopback_server import Recorder, serve

TOPIC_RE = re.compile(r"^[-_A-Za-z0-9]{1,64}$")
MESSAGE_LIMIT = 4096
PRIORITIES = {"min": 1, "low": 2, "default": 3, "high": 4, "max": 5, "urgent": 5}


def header(headers, *names):
    for name in names:
        value = headers.get(name)
        if value is not None:
            return value
    return None


def decode_rfc2047(value):
    parts = email.header.decode_header(value)
    return "".join(p.decode(c or "ascii") if isinstance(p, bytes) else p for p, c in parts)


def error(code, http, text):
    return http, json.dumps({"code": code, "http": http, "error": text})


class State(Recorder):
    def __init__(self, token, user):
        super().__init__()
        self.token = token
        self.user = user


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _send(self, status, text, content_type="application/json"):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        state = self.server.state
        if self.path == "/_control/requests":
            self._send(200, state.requests_json())
        else:
            self._send(*error(40401, 404, "page not found"))

    def do_PUT(self):
        self.do_POST()

    def do_POST(self):
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path == "/_control/reset":
            state.reset()
            return self._send(200, "{}")
        if self.path == "/_control/faults":
            state.add_faults(json.loads(body or b"[]"))
            return self._send(200, "{}")

        rec = {
            "method": self.command,
            "path": self.path,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body_b64": base64.b64encode(body).decode("ascii"),
            "body_length": len(body),
            "time": time.time(),
        }
        fault = state.pop_fault()
        if fault is not None:
            status = int(fault.get("status", 500))
            rec["status"] = status
            state.record(rec)
            if status == 429:
                # ntfy sends no Retry-After (none in its server/ sources).
                return self._send(*error(42901, 429, "limit reached: too many requests"))
            answer = {"http": status, "error": "injected"}
            if fault.get("echo"):
                # As some proxies and debug servers do: the request's own
                # headers in the error page, credentials first.
                echoed = sorted(self.headers.items(), key=lambda h: h[0].lower() != "authorization")
                answer = {"request_headers": dict(echoed), **answer}
            return self._send(status, json.dumps(answer))

        if self.path.startswith("/hook/"):
            rec["kind"] = "hook"
            status, text = 200, "ok"
        else:
            rec["kind"] = "ntfy"
            status, text = self.publish(body, rec)
        rec["status"] = status
        state.record(rec)
        self._send(status, text)

    def publish(self, body, rec):
        state = self.server.state
        topic = self.path.lstrip("/").split("?")[0]
        if not TOPIC_RE.match(topic):
            return error(40401, 404, "page not found")
        rec["topic"] = topic
        if state.token or state.user:
            auth = self.headers.get("Authorization")
            if not auth:
                return error(40101, 401, "unauthorized")
            allowed = []
            if state.token:
                allowed.append("Bearer " + state.token)
            if state.user:
                allowed.append("Basic " + base64.b64encode(state.user.encode()).decode())
            if auth not in allowed:
                return error(40301, 403, "forbidden")
        title = header(self.headers, "Title", "X-Title", "t")
        if title is not None:
            rec["title"] = decode_rfc2047(title)
        priority = header(self.headers, "Priority", "X-Priority", "prio", "p")
        if priority is not None:
            p = priority.strip().lower()
            if p.isdigit() and 1 <= int(p) <= 5:
                rec["priority"] = int(p)
            elif p in PRIORITIES:
                rec["priority"] = PRIORITIES[p]
            else:
                return error(40007, 400, "invalid request: priority invalid")
        tags = header(self.headers, "Tags", "X-Tags", "tag", "ta")
        if tags is not None:
            rec["tags"] = [t.strip() for t in tags.split(",") if t.strip()]
        if len(body) > MESSAGE_LIMIT:
            return error(40014, 400, "invalid request: attachments not allowed")
        try:
            message = body.decode("utf-8")
        except UnicodeDecodeError:
            return error(40014, 400, "invalid request: attachments not allowed")
        rec["message"] = message
        return 200, json.dumps(
            {"id": "x", "time": int(time.time()), "event": "message", "topic": topic,
             "message": message or "triggered"})


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--token")
    ap.add_argument("--user")
    args = ap.parse_args(argv)
    return serve(Handler, State(args.token, args.user), args.port)

if __name__ == "__main__":
    sys.exit(main())
