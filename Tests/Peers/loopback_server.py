"""What every loopback test peer shares: the recorded requests and the
queue of injected faults (lock-protected: handlers run on many threads),
a threading server that shrugs off clients hanging up mid-request, and the
start-up contract LoopbackPeer.swift reads: one "PORT N" line on stdout,
then serve until SIGTERM."""

import json
import signal
import sys
import threading
from http.server import ThreadingHTTPServer


class Recorder:
    """Requests as the peer saw them, and faults each used by one request."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = []
        self.faults = []

    def record(self, rec):
        with self.lock:
            self.requests.append(rec)

    def pop_fault(self):
        with self.lock:
            return self.faults.pop(0) if self.faults else None

    def add_faults(self, faults):
        """Queues faults; returns how many now wait."""
        with self.lock:
            self.faults.extend(faults)
            return len(self.faults)

    def reset(self):
        with self.lock:
            self.requests.clear()
            self.faults.clear()

    def requests_json(self):
        with self.lock:
            return json.dumps(self.requests)


class Server(ThreadingHTTPServer):
    daemon_threads = True  # stalled handlers must not block shutdown
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        # Clients disconnecting mid-request are expected in fault tests.
        exc = sys.exc_info()[1]
        if not isinstance(exc, (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


def serve(handler, state, port=0):
    """Listens on 127.0.0.1:port (0: any free port), says which on stdout
    (stdout carries nothing else), and serves until SIGTERM or SIGINT."""
    server = Server(("127.0.0.1", port), handler)
    server.state = state

    def stop(signum, frame):
        # Raised in the main thread, which breaks out of serve_forever().
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print("PORT %d" % server.server_address[1], flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
