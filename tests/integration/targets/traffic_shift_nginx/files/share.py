# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Send N requests to a URL and print the share answered by each color (X-Color header) as JSON."""

import collections
import json
import sys
import urllib.request

URL, COUNT = sys.argv[1], int(sys.argv[2])
colors = collections.Counter()
for _request in range(COUNT):
    with urllib.request.urlopen(URL, timeout=5) as response:
        response.read()
        colors[response.headers.get("X-Color", "none")] += 1
print(json.dumps(dict((color, count / COUNT) for color, count in colors.items())))
