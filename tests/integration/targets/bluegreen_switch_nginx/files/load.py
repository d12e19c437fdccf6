# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send requests to URL one after another, each on a new connection, until AFTER requests were sent
after MARKER appeared; write to OUT the failures and the colors (X-Color) before and after MARKER."""

import collections
import json
import os
import sys
import time
import urllib.request

URL, MARKER, OUT, AFTER = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
colors = {"before": collections.Counter(), "after": collections.Counter()}
failures = []
give_up = time.monotonic() + 300
while sum(colors["after"].values()) + len([f for f in failures if f["after"]]) < AFTER and time.monotonic() < give_up:
    after = os.path.exists(MARKER)
    try:
        with urllib.request.urlopen(URL, timeout=5) as response:
            response.read()
            colors["after" if after else "before"][response.headers.get("X-Color", "none")] += 1
    except Exception as exc:  # pylint: disable=broad-except
        failures.append({"after": after, "error": str(exc)})
with open(OUT + ".tmp", "w") as handle:
    json.dump({"before": colors["before"], "after": colors["after"], "failures": failures,
               "total": sum(colors["before"].values()) + sum(colors["after"].values()) + len(failures)}, handle)
os.rename(OUT + ".tmp", OUT)
