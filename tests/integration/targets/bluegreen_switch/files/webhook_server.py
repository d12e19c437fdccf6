# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A validating admission webhook on 127.0.0.1 that refuses every request it is sent.

  webhook_server.py CERT KEY STATE_FILE SECONDS

Serves HTTPS on a free port until killed or SECONDS have passed; writes {"port": N, "pid": N} to
STATE_FILE once it listens. The path of the webhook's URL says how to refuse:
  /deny/<code>   answers allowed=false with that status code, reason Frozen and a message naming it
  /slow          answers only after SLOW_SECONDS, past the webhook's timeoutSeconds
"""

import json
import os
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLOW_SECONDS = 6


class Webhook(BaseHTTPRequestHandler):
    def do_POST(self):
        review = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        request = review.get("request") or {}
        if self.path.startswith("/slow"):
            time.sleep(SLOW_SECONDS)
            answer = {"uid": request.get("uid"), "allowed": True}
        else:
            code = int(self.path.split("?")[0].rsplit("/", 1)[-1])
            name = (request.get("name") or "").strip()
            answer = {"uid": request.get("uid"), "allowed": False,
                      "status": {"code": code, "reason": "Frozen",
                                 "message": "Service %s is frozen for the test (code %d)" % (name, code)}}
        body = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview",
                           "response": answer}).encode()
        try:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the API server gave up waiting: that is what /slow is for

    def log_message(self, format, *args):  # pylint: disable=redefined-builtin
        sys.stderr.write("%s %s\n" % (time.strftime("%H:%M:%S"), format % args))


def main():
    cert, key, state_file, seconds = sys.argv[1:5]
    server = ThreadingHTTPServer(("127.0.0.1", 0), Webhook)
    server.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Timer(float(seconds), server.shutdown).start()
    with open(state_file + ".tmp", "w") as handle:
        json.dump({"port": server.server_address[1], "pid": os.getpid()}, handle)
    os.rename(state_file + ".tmp", state_file)
    server.serve_forever()


main()
