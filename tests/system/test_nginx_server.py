"""Debian's nginx runs as a user process and proxies to demo_app."""

import json
import os
import subprocess
import urllib.request


def test_nginx_proxies_to_demo_app(nginx, demo_apps, tmp_path):
    app = demo_apps.start("--color", "green", "--release", "v7")
    port = int(nginx["NGINX_PORT"]) + 0
    listen = _free_port()
    conf = os.path.join(nginx["NGINX_CONF_DIR"], "proof.conf")
    with open(conf, "w") as handle:
        handle.write("upstream proof { server %s; }\nserver { listen 127.0.0.1:%d; location / { proxy_pass http://proof; } }\n"
                     % (app.replace("http://", ""), listen))
    try:
        subprocess.run(nginx["NGINX_RELOAD_CMD"].split(), check=True)
        body = _get_eventually("http://127.0.0.1:%d/version" % listen)
        assert body == {"color": "green", "release": "v7", "service": "demo"}
        assert port != listen
    finally:
        os.remove(conf)
        subprocess.run(nginx["NGINX_RELOAD_CMD"].split(), check=True)


def _free_port():
    from runbook_infra import free_port
    return free_port()


def _get_eventually(url):
    from runbook_infra import wait_http
    wait_http(url)
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.loads(response.read())
