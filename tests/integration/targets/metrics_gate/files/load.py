# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send requests to each base URL in turn, forever, so Prometheus has rates to measure."""

import sys
import time
import urllib.error
import urllib.request

URLS = sys.argv[1:]

while True:
    for url in URLS:
        try:
            urllib.request.urlopen(url + "/api/echo", timeout=5).read()
        except (urllib.error.URLError, OSError):
            pass
    time.sleep(0.02)
