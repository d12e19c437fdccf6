#!/usr/bin/env python3
"""A tiny HTTP service for the runbook.ops demo and tests (standard library only).

Endpoints:
  GET  /health          {"status": "healthy", "color", "release", "version", "timestamp"}
  GET  /ready           200 when ready, 503 otherwise (see --ready-after, --not-ready)
  GET  /version         {"color", "release"}
  GET|POST /api/echo    echoes the JSON body (POST) or the query string (GET)
  GET  /api/echo/headers  echoes the request headers, as many services' debug endpoints do
  GET  /metrics         Prometheus text: request counter and latency histogram by path and status
  POST /admin/faults    change the injected faults at run time (JSON with the fault names below)

Every response carries X-Color and X-Release headers.

Faults are deterministic, so tests know exactly what to expect: with error_rate 0.1 the
10th, 20th, 30th ... request fails with 500; with slow_rate 0.05 and slow_ms 300 every 20th
request takes 300 ms longer. /metrics and /admin are never affected.
"""

import argparse
import json
import math
import os
import signal
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
FAULT_NAMES = ("error_rate", "latency_ms", "slow_rate", "slow_ms", "ready", "healthy")


class Faults:
    """Injected faults, and the request counter that spreads them evenly."""

    def __init__(self, error_rate=0.0, latency_ms=0, slow_rate=0.0, slow_ms=0, ready_at=0.0, healthy=True):
        self.lock = threading.Lock()
        self.error_rate = error_rate
        self.latency_ms = latency_ms
        self.slow_rate = slow_rate
        self.slow_ms = slow_ms
        self.ready_at = ready_at
        self.healthy = healthy
        self.served = 0

    def update(self, changes):
        unknown = set(changes) - set(FAULT_NAMES)
        if unknown:
            raise ValueError("unknown faults: %s" % ", ".join(sorted(unknown)))
        with self.lock:
            for name, value in changes.items():
                if name == "ready":
                    self.ready_at = 0.0 if value else math.inf
                else:
                    setattr(self, name, value)
            self.served = 0

    def next_request(self):
        """Return (fail, delay_seconds) for the next request."""
        with self.lock:
            self.served += 1
            n = self.served
            fail = _every(n, self.error_rate)
            delay = self.latency_ms + (self.slow_ms if _every(n, self.slow_rate) else 0)
        return fail, delay / 1000.0

    def is_ready(self):
        return time.time() >= self.ready_at


def _every(n, rate):
    """True for an evenly spread `rate` fraction of requests 1, 2, 3 ..."""
    return math.floor(n * rate) > math.floor((n - 1) * rate)


class Metrics:
    """Prometheus counters and a latency histogram, by path."""

    def __init__(self):
        self.lock = threading.Lock()
        self.requests = {}
        self.histograms = {}

    def observe(self, method, path, status, seconds):
        with self.lock:
            key = (path, method, str(status))
            self.requests[key] = self.requests.get(key, 0) + 1
            buckets, total, count = self.histograms.get(path, ([0] * len(LATENCY_BUCKETS), 0.0, 0))
            buckets = [b + (1 if seconds <= le else 0) for b, le in zip(buckets, LATENCY_BUCKETS)]
            self.histograms[path] = (buckets, total + seconds, count + 1)

    def render(self):
        lines = ["# HELP http_requests_total Requests served.", "# TYPE http_requests_total counter"]
        with self.lock:
            for (path, method, status), value in sorted(self.requests.items()):
                lines.append('http_requests_total{path="%s",method="%s",status="%s"} %d' % (path, method, status, value))
            lines += ["# HELP http_request_duration_seconds Request latency.",
                      "# TYPE http_request_duration_seconds histogram"]
            for path, (buckets, total, count) in sorted(self.histograms.items()):
                for le, value in zip(LATENCY_BUCKETS, buckets):
                    lines.append('http_request_duration_seconds_bucket{path="%s",le="%s"} %d' % (path, le, value))
                lines.append('http_request_duration_seconds_bucket{path="%s",le="+Inf"} %d' % (path, count))
                lines.append('http_request_duration_seconds_sum{path="%s"} %.6f' % (path, total))
                lines.append('http_request_duration_seconds_count{path="%s"} %d' % (path, count))
        return "\n".join(lines) + "\n"


class Handler(BaseHTTPRequestHandler):
    server_version = "demo-app/1"
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        if self.server.access_log:
            sys.stderr.write("%s - %s\n" % (self.address_string(), fmt % args))

    def do_GET(self):
        self._serve("GET")

    def do_POST(self):
        self._serve("POST")

    def do_HEAD(self):
        self._serve("HEAD")

    def _serve(self, method):
        started = time.monotonic()
        path = urlsplit(self.path).path
        body = self._read_body()
        if path == "/metrics":
            self._send(200, self.server.metrics.render(), "text/plain; version=0.0.4")
            return
        if path.startswith("/admin/"):
            self._admin(path, body)
            return
        fail, delay = self.server.faults.next_request()
        if delay:
            time.sleep(delay)
        if fail:
            status = self._send_json(500, {"error": "injected failure", "color": self.server.color})
        else:
            status = self._route(method, path, body)
        self.server.metrics.observe(method, path, status, time.monotonic() - started)

    def _route(self, method, path, body):
        app = self.server
        if path == "/health":
            if not app.faults.healthy:
                return self._send_json(503, {"status": "unhealthy", "color": app.color})
            return self._send_json(200, {
                "status": "healthy", "color": app.color, "release": app.release,
                "version": app.release, "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            })
        if path == "/ready":
            ready = app.faults.is_ready()
            return self._send_json(200 if ready else 503, {"ready": ready})
        if path == "/version":
            return self._send_json(200, {"color": app.color, "release": app.release, "service": app.service})
        if path == "/api/echo":
            return self._echo(method, body)
        if path == "/api/echo/headers":
            headers = dict((name, value) for name, value in self.headers.items())
            return self._send_json(200, {"headers": headers})
        return self._send_json(404, {"error": "not found", "path": path})

    def _echo(self, method, body):
        if method == "POST":
            try:
                payload = json.loads(body or b"null")
            except ValueError:
                return self._send_json(400, {"error": "body is not JSON"})
        else:
            payload = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        return self._send_json(200, {"echo": payload, "items": [payload], "success": True})

    def _admin(self, path, body):
        if path != "/admin/faults" or self.command != "POST":
            self._send_json(404, {"error": "not found"})
            return
        try:
            self.server.faults.update(json.loads(body or b"{}"))
        except (ValueError, TypeError) as exc:
            self._send_json(400, {"error": str(exc)})
            return
        self._send_json(200, {"ok": True})

    def _read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send_json(self, status, payload):
        return self._send(status, json.dumps(payload), "application/json")

    def _send(self, status, text, content_type):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Color", self.server.color)
        self.send_header("X-Release", self.server.release)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        return status


class DemoServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def parse_args(argv):
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=env("DEMO_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(env("DEMO_PORT", "8000")))
    parser.add_argument("--service", default=env("DEMO_SERVICE", "demo"))
    parser.add_argument("--color", default=env("DEMO_COLOR", "blue"))
    parser.add_argument("--release", default=env("DEMO_RELEASE", "v1"))
    parser.add_argument("--error-rate", type=float, default=float(env("DEMO_ERROR_RATE", "0")))
    parser.add_argument("--latency-ms", type=float, default=float(env("DEMO_LATENCY_MS", "0")))
    parser.add_argument("--slow-rate", type=float, default=float(env("DEMO_SLOW_RATE", "0")))
    parser.add_argument("--slow-ms", type=float, default=float(env("DEMO_SLOW_MS", "0")))
    parser.add_argument("--ready-after", type=float, default=float(env("DEMO_READY_AFTER", "0")),
                        help="seconds after start before /ready answers 200")
    parser.add_argument("--not-ready", action="store_true", default=env("DEMO_NOT_READY") == "1")
    parser.add_argument("--unhealthy", action="store_true", default=env("DEMO_UNHEALTHY") == "1")
    parser.add_argument("--tls-cert", default=env("DEMO_TLS_CERT"))
    parser.add_argument("--tls-key", default=env("DEMO_TLS_KEY"))
    parser.add_argument("--pid-file", default=env("DEMO_PID_FILE"))
    parser.add_argument("--access-log", action="store_true")
    args = parser.parse_args(argv)
    for name in ("error_rate", "slow_rate"):
        if not 0 <= getattr(args, name) <= 1:
            parser.error("--%s must be between 0 and 1" % name.replace("_", "-"))
    return args


def build_server(args):
    server = DemoServer((args.host, args.port), Handler)
    server.service, server.color, server.release = args.service, args.color, args.release
    server.access_log = args.access_log
    ready_at = math.inf if args.not_ready else time.time() + args.ready_after
    server.faults = Faults(args.error_rate, args.latency_ms, args.slow_rate, args.slow_ms, ready_at,
                           healthy=not args.unhealthy)
    server.metrics = Metrics()
    if args.tls_cert:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(args.tls_cert, args.tls_key)
        server.socket = context.wrap_socket(server.socket, server_side=True)
    return server


def main(argv=None):
    args = parse_args(argv)
    server = build_server(args)
    if args.pid_file:
        with open(args.pid_file, "w") as handle:
            handle.write("%d\n" % os.getpid())
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    sys.stderr.write("demo_app %s %s (%s) listening on %s:%d\n"
                     % (args.service, args.release, args.color, args.host, server.server_address[1]))
    sys.stderr.flush()
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
