# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Print N free loopback TCP ports, one a line (all held open together, so they differ)."""

import socket
import sys

sockets = []
for dummy in range(int(sys.argv[1])):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sockets.append(sock)
print("\n".join(str(sock.getsockname()[1]) for sock in sockets))
