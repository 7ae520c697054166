#!/usr/bin/env python3
"""Loopback stand-in for the Healthchecks ping API, for notify-unit's tests.

Standard library only (Python 3.11). Usage:

    python3 healthchecks_server.py --port 0 --check UUID [--check UUID ...]
                                   [--ping-key KEY] [--ping-body-limit N]

Binds 127.0.0.1, prints exactly one line "PORT <n>" to stdout, then serves
until SIGTERM/SIGINT (exit status 0). Ping routes are served both at the root
(like hc-ping.com) and under /ping/ (like a self-hosted instance):

    <uuid>[/ | /fail | /start | /log | /<0-255>]
    <ping-key>/<slug>[/ | /fail | /start | /log | /<0-255>]

Control endpoints (never recorded, never consume faults):
    GET  /_control/requests  -> JSON array of recorded ping requests
    POST /_control/faults    -> JSON list of faults, appended to the queue
    POST /_control/reset     -> clear recorded requests and the fault queue
    POST /_control/config    -> {"ping_body_limit": N}: the server's limit from now on

Management API v3 (with --api-key / --read-only-api-key):
    GET  /api/v3/checks/<uuid>  -> the check's JSON (X-Api-Key: either key)
    POST /api/v3/checks/<uuid>  -> updates schedule / tz / grace / timeout from a
                                   JSON body (X-Api-Key: the read-write key)
    401 {"error": "missing api key" | "wrong api key"}, 403 for the read-only
    key on a write, 404 for an unknown check, 400 {"error": "json validation
    error: ..."} for a bad field: schedule a string of at most 100 characters
    that reads as cron (5 fields) or as systemd OnCalendar lines; tz an IANA
    zone; grace and timeout whole seconds from 60 to 31536000. API calls are
    recorded with kind "api".

Like a real server (healthchecks 4.x, hc/api/views.py), an accepted ping
stores only request.body[:PING_BODY_LIMIT] (recorded as "stored_b64") and
every ping answer carries the Ping-Body-Limit header.
"""

import argparse
import base64
import json
import re
import select
import socket
import sys
import time
import zoneinfo
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, unquote, urlsplit

from loopback_server import Recorder, serve

# Django's <uuid:...> converter is lowercase-only, so the real server answers
# 404 for an uppercase check UUID; we reproduce that on purpose.
CHECK_UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# rid is validated by the view itself, which accepts either case.
RID_RE = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
SLUG_RE = re.compile(r"^[a-z0-9_-]+$")
NAMED_SUFFIXES = {"": "success", "fail": "fail", "start": "start", "log": "log"}


class State(Recorder):
    """Shared, lock-protected server state (handlers run on many threads)."""

    def __init__(self, checks, ping_keys, body_limit, api_key=None, read_only_key=None):
        super().__init__()
        self.api_key = api_key
        self.read_only_key = read_only_key
        # What the API shows of each UUID check (a new check's defaults).
        self.settings = {}
        # UUIDs lower-cased; "KEY/slug" checks kept as given.
        self.checks = {c if "/" in c else c.lower() for c in checks}
        self.ping_keys = set(ping_keys)
        self.body_limit = body_limit


def route(state, raw_path):
    """Map a request target to (status, body, kind, check, exit_status, rid)."""
    parts = urlsplit(raw_path)
    query = parse_qs(parts.query, keep_blank_values=True)
    segs = [unquote(s) for s in parts.path.split("/")[1:]]
    # Self-hosted instances serve the same routes under /ping/.
    if len(segs) > 1 and segs[0] == "ping":
        segs = segs[1:]
    # Django's QueryDict.get returns the last value of a repeated key.
    rid = query["rid"][-1] if "rid" in query else None
    created = False

    if segs and CHECK_UUID_RE.match(segs[0]):
        check, rest = segs[0], segs[1:]
        known = check in state.checks
    elif len(segs) >= 2 and segs[0] in state.ping_keys and SLUG_RE.match(segs[1]):
        # A slug check exists when given as --check KEY/SLUG or once made by
        # ?create=1 (any ping kind), which answers 201 "Created" like the
        # real server; without it an unknown slug is 404.
        check, rest = segs[0] + "/" + segs[1], segs[2:]
        with state.lock:
            known = check in state.checks
            if not known and query.get("create", [""])[-1] == "1":
                state.checks.add(check)
                created = True
                known = True
    else:
        check = "/".join(segs) or None
        return 404, "not found", "-", check, None, rid
    if not known:
        return 404, "not found", "-", check, None, rid

    # The pitfall: "<uuid>/" (empty suffix) is a success ping, like "<uuid>".
    suffix = rest[0] if rest else ""
    if len(rest) > 1:
        return 400, "invalid url format", "-", check, None, rid
    exit_status = None
    if suffix in NAMED_SUFFIXES:
        kind = NAMED_SUFFIXES[suffix]
    elif suffix.isascii() and suffix.isdigit():
        exit_status = int(suffix)
        if exit_status > 255:
            return 400, "invalid url format", "-", check, exit_status, rid
        kind = "exit"
    else:
        return 400, "invalid url format", "-", check, None, rid

    if rid is not None and not RID_RE.match(rid):
        return 400, "invalid rid", "-", check, exit_status, rid
    if created:
        return 201, "Created", kind, check, exit_status, rid
    return 200, "OK", kind, check, exit_status, rid


class Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so clients can keep connections alive; every response we send
    # therefore carries an exact Content-Length.
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "hc-test-peer"

    def log_message(self, fmt, *args):
        pass  # stdout is reserved for the single PORT line; stay quiet.

    def do_GET(self):
        self._dispatch()

    def do_POST(self):
        self._dispatch()

    def do_HEAD(self):
        self._dispatch()

    # ---- request plumbing ---------------------------------------------------

    def _read_body(self):
        """Read exactly the request body (Content-Length or chunked)."""
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            data = bytearray()
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    # Skip trailers up to the blank line that ends the message.
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return bytes(data)
                data += self.rfile.read(size)
                self.rfile.readline()  # CRLF after each chunk
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status, body, extra_headers=(), content_type="text/plain; charset=utf-8"):
        data = body.encode("utf-8") if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        # The real server advertises its limit on every ping answer.
        self.send_header("Ping-Body-Limit", str(self.server.state.body_limit))
        for name, value in extra_headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self.wfile.flush()

    def _client_gone(self):
        """True if the peer has closed its end (readable with zero bytes)."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1, socket.MSG_PEEK) == b""
        except OSError:
            return True

    def _drop_connection(self):
        # No response at all: shut the socket so the client sees EOF/reset.
        self.close_connection = True
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    # ---- dispatch -------------------------------------------------------------

    def _dispatch(self):
        received = time.time()
        try:
            body = self._read_body()
        except (ValueError, OSError):
            self.close_connection = True
            self._send(400, "bad request body")
            return
        if urlsplit(self.path).path.startswith("/_control/"):
            self._control(body)
        elif urlsplit(self.path).path.startswith("/api/v3/"):
            self._api(body, received)
        else:
            self._ping(body, received)

    def _control(self, body):
        state = self.server.state
        path = urlsplit(self.path).path
        if path == "/_control/requests" and self.command in ("GET", "HEAD"):
            self._send(200, state.requests_json(), content_type="application/json")
        elif path == "/_control/faults" and self.command == "POST":
            try:
                faults = json.loads(body or b"[]")
                if isinstance(faults, dict):
                    faults = [faults]
                if not isinstance(faults, list) or not all(isinstance(f, dict) for f in faults):
                    raise ValueError("expected a JSON list of objects")
            except ValueError as exc:
                self._send(400, "bad faults: %s" % exc)
                return
            queued = state.add_faults(faults)
            self._send(200, json.dumps({"queued": queued}), content_type="application/json")
        elif path == "/_control/config" and self.command == "POST":
            try:
                config = json.loads(body or b"{}")
                limit = int(config["ping_body_limit"])
            except (ValueError, KeyError, TypeError) as exc:
                self._send(400, "bad config: %s" % exc)
                return
            with state.lock:
                state.body_limit = limit
            self._send(200, "OK")
        elif path == "/_control/reset" and self.command == "POST":
            state.reset()
            self._send(200, "OK")
        else:
            self._send(404, "unknown control endpoint")

    def _api(self, body, received):
        state = self.server.state
        path = urlsplit(self.path).path
        key = self.headers.get("X-Api-Key", "")
        rec = {
            "method": self.command, "path": self.path, "kind": "api", "check": None,
            "exit_status": None, "rid": None,
            "headers": {k.lower(): v for k, v in self.headers.items()},
            "body_b64": base64.b64encode(body).decode("ascii"), "body_length": len(body),
            "stored_length": 0, "stored_b64": "", "body_utf8": True, "time": received,
        }

        def answer(status, obj):
            rec["status"] = status
            state.record(rec)
            self._send(status, json.dumps(obj), content_type="application/json")

        m = re.match(r"^/api/v3/checks/([0-9a-f-]{36})/?$", path)
        if not m or self.command not in ("GET", "POST"):
            return answer(404, {"error": "not found"})
        if not key:
            return answer(401, {"error": "missing api key"})
        if key not in (state.api_key, state.read_only_key):
            return answer(401, {"error": "wrong api key"})
        uuid = m.group(1)
        rec["check"] = uuid
        if uuid not in state.checks:
            return answer(404, {"error": "not found"})
        with state.lock:
            current = state.settings.setdefault(
                uuid, {"timeout": 86400, "grace": 3600, "schedule": "* * * * *", "tz": "UTC"}
            )
        if self.command == "POST":
            if key != state.api_key:
                return answer(403, {"error": "read-only api key"})
            try:
                data = json.loads(body or b"{}")
                if not isinstance(data, dict):
                    raise ValueError("json validation error: expected an object")
                update = validate_check_fields(data)
            except ValueError as exc:
                return answer(400, {"error": str(exc)})
            with state.lock:
                current.update(update)
        with state.lock:
            shown = dict(current, uuid=uuid)
        answer(200, shown)

    def _ping(self, body, received):
        state = self.server.state
        status, text, kind, check, exit_status, rid = route(state, self.path)
        try:
            body.decode("utf-8")
            valid_utf8 = True
        except UnicodeDecodeError:
            valid_utf8 = False
        headers = {}
        for name, value in self.headers.items():
            key = name.lower()
            headers[key] = headers[key] + ", " + value if key in headers else value
        rec = {
            "method": self.command,
            "path": self.path,
            "kind": kind,
            "check": check,
            "exit_status": exit_status,
            "rid": rid,
            "headers": headers,
            "body_b64": base64.b64encode(body).decode("ascii"),
            "body_length": len(body),
            # What the real server keeps: the first N bytes of accepted pings.
            "stored_length": min(len(body), state.body_limit) if status in (200, 201) else 0,
            "stored_b64": base64.b64encode(body[: state.body_limit] if status in (200, 201) else b"").decode("ascii"),
            "body_utf8": valid_utf8,
            "time": received,
            "status": status,
        }

        fault = state.pop_fault()
        if fault is None:
            state.record(rec)
            self._send(status, text)
        elif fault.get("close"):
            rec["status"] = "closed"
            rec["stored_length"] = 0  # nothing was accepted
            rec["stored_b64"] = ""
            state.record(rec)
            self._drop_connection()
        elif "stall" in fault:
            rec["status"] = "stalled"
            state.record(rec)  # record now, so tests can see it mid-stall
            deadline = time.monotonic() + float(fault["stall"])
            while time.monotonic() < deadline:
                if self._client_gone():
                    self._drop_connection()  # client gave up (timeout): drop
                    return
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
            self._send(status, text)
        else:
            code = int(fault.get("status", 500))
            rec["status"] = code
            rec["stored_length"] = 0  # an injected error stores nothing
            rec["stored_b64"] = ""
            state.record(rec)
            extra = []
            if "retry_after" in fault:
                extra.append(("Retry-After", str(fault["retry_after"])))
            self._send(code, "injected", extra)


ONCALENDAR_LINE_RE = re.compile(r"^[A-Za-z0-9*:.,/~ +-]+$")


def validate_check_fields(data):
    """The fields hc/api/schemas.py checks, with its messages' shape."""
    update = {}
    for name in ("timeout", "grace"):
        if name in data:
            value = data[name]
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError("json validation error: %s is not a number" % name)
            if not 60 <= value <= 31536000:
                raise ValueError("json validation error: %s is too small or too large" % name)
            update[name] = value
    if "tz" in data:
        tz = data["tz"]
        try:
            if not isinstance(tz, str) or not tz:
                raise ValueError
            zoneinfo.ZoneInfo(tz)
        except (ValueError, zoneinfo.ZoneInfoNotFoundError):
            raise ValueError("json validation error: tz is not a valid time zone")
        update["tz"] = tz
    if "schedule" in data:
        schedule = data["schedule"]
        if not isinstance(schedule, str) or not schedule.strip():
            raise ValueError("json validation error: schedule is not a string")
        if len(schedule) > 100:
            raise ValueError("json validation error: schedule is too long")
        lines = schedule.split("\n")
        cron = len(lines) == 1 and len(schedule.split()) == 5 and ":" not in schedule
        if not cron and not all(ONCALENDAR_LINE_RE.match(line) for line in lines):
            raise ValueError("json validation error: schedule is not a valid cron or OnCalendar expression")
        update["schedule"] = schedule
    return update


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument(
        "--check", action="append", default=[], help="known check UUID or KEY/slug (repeatable)"
    )
    ap.add_argument("--ping-key", action="append", default=[], help="known ping key (repeatable)")
    ap.add_argument("--ping-body-limit", type=int, default=100000)
    ap.add_argument("--api-key", help="the project's read-write API key")
    ap.add_argument("--read-only-api-key", help="the project's read-only API key")
    args = ap.parse_args(argv)

    state = State(
        args.check, args.ping_key, args.ping_body_limit, args.api_key, args.read_only_api_key
    )
    return serve(Handler, state, args.port)

if __name__ == "__main__":
    sys.exit(main())
