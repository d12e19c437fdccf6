"""The team's own tests gate the switch: a deploy of the nginx platform runs each service's
verify_commands against the idle color after the smoke checks, and any failing one stops the deploy
before traffic moves, with the command's verdict and output in the failure and the report.

The team's suite here is a small script in the shape of seed 000's production_smoke_tests.py: it reads
the color's /version, writes a JSON report with a success field to --output-json, and exits 0 unless
asked to exit non-zero on failure.
"""

import glob
import os
import sys
import uuid

import pytest

from nginx_site import NginxSite
from runbook_infra import free_port

SUITE = r'''
import argparse, json, os, sys, urllib.request
parser = argparse.ArgumentParser()
parser.add_argument("--base-url", required=True)
parser.add_argument("--color", required=True)
parser.add_argument("--release", required=True)
parser.add_argument("--output-json")
parser.add_argument("--exit-on-failure", action="store_true")
args = parser.parse_args()
with urllib.request.urlopen(args.base_url + "/version", timeout=5) as response:
    answer = json.loads(response.read())
failures = ["%s is %r, expected %r" % (key, answer.get(key), want)
            for key, want in (("color", args.color), ("release", args.release)) if answer.get(key) != want]
print("suite token %s" % os.environ.get("SUITE_TOKEN"))
print("checked %s: %s" % (args.base_url, "; ".join(failures) or "ok"))
report = {"success": not failures, "passed": 2 - len(failures), "failed": len(failures), "failures": failures}
if args.output_json:
    with open(args.output_json, "w") as handle:
        json.dump(report, handle)
else:
    print(json.dumps(report))
if failures and args.exit_on_failure:
    sys.stderr.write("%d failed\n" % len(failures))
    sys.exit(3)
'''
TOKEN = "suite-token-%s" % uuid.uuid4().hex


@pytest.fixture
def site(tmp_path):
    platform = NginxSite(tmp_path)
    platform.start()
    yield platform
    platform.stop()


def service(commands):
    return {"name": "judgment-service", "port": free_port(), "tier": "critical", "strategy": "bluegreen",
            "color_ports": {"blue": free_port(), "green": free_port()}, "verify_commands": commands}


def deploy(site, release, services, name):
    vars_file = site.write_vars(name, {"runbook_services": services, "verify_samples": 5, "suite_token_secret": TOKEN})
    return site.playbook("deploy.yml", "-v", "-e", "@" + vars_file, "-e", "runbook_release=%s" % release,
                         "-e", "runbook_skip_backup=true")


def live(site, services):
    answer = site.serving(services)["judgment-service"]
    return answer["color"], answer["release"]


def test_the_teams_tests_gate_the_switch(site, tmp_path):
    suite = tmp_path / "production_smoke_tests.py"
    suite.write_text(SUITE)
    passing = [
        {"name": "production-smoke", "json": True, "timeout": 60,
         "argv": [sys.executable, str(suite), "--base-url", "{url}", "--color", "{color}", "--release", "v1",
                  "--output-json", "{result_file}"],
         "secret_environment": {"SUITE_TOKEN": "suite_token_secret"}},
        {"cmd": "%s %s --base-url {url} --color {color} --release v1 --exit-on-failure" % (sys.executable, suite)},
    ]
    services = [service(passing)]
    code, output = deploy(site, "v1", services, "v1.json")
    assert code == 0, output[-4000:]
    assert TOKEN not in output
    report = site.reports()[-1]
    first_color = report["colors"]["after"]
    assert [(entry["name"], entry["success"], entry["rc"], entry["target"]) for entry in report["verify_commands"]] == [
        ("production-smoke", True, 0, "idle"), (os.path.basename(sys.executable), True, 0, "idle")]
    idle_url = "http://127.0.0.1:%d" % services[0]["color_ports"][first_color]
    assert "checked %s: ok" % idle_url in report["verify_commands"][0]["stdout"]
    assert "suite token ********" in report["verify_commands"][0]["stdout"]
    assert "## Test commands" in site.markdown_reports()[-1]

    # v2's suite expects a release the idle color does not serve: its JSON report says success false.
    judged_by_json = [dict(passing[0], argv=[word if word != "v1" else "v9" for word in passing[0]["argv"]])]
    code, output = deploy(site, "v2", [dict(services[0], verify_commands=judged_by_json)], "v2.json")
    assert code != 0, output[-4000:]
    failed = site.reports()[-1]
    assert (failed["release"], failed["outcome"], failed["failed_phase"]) == ("v2", "failed", "verify"), failed
    assert "judgment-service production-smoke: its report says success: false" in failed["failure"], failed["failure"]
    entry, = failed["verify_commands"]
    assert entry["success"] is False and "release is 'v2', expected 'v9'" in entry["stdout"]
    assert [phase["name"] for phase in failed["phases"]][-1] == "verify"
    assert live(site, services) == (first_color, "v1")

    # v3's suite exits 3 on failure: the exit status alone fails it, its stderr is in the failure.
    exiting = [{"name": "critical-path", "argv": [sys.executable, str(suite), "--base-url", "{url}", "--color",
                                                  "{color}", "--release", "v9", "--exit-on-failure"]}]
    code, output = deploy(site, "v3", [dict(services[0], verify_commands=exiting)], "v3.json")
    assert code != 0, output[-4000:]
    failed = site.reports()[-1]
    assert (failed["release"], failed["failed_phase"]) == ("v3", "verify")
    assert "judgment-service critical-path: exited with status 3 - 1 failed" in failed["failure"], failed["failure"]
    assert failed["verify_commands"][0]["rc"] == 3 and failed["verify_commands"][0]["stderr"] == "1 failed\n"
    assert live(site, services) == (first_color, "v1")


def test_a_command_entry_with_an_unknown_key_fails_preflight_naming_it(site):
    services = [service([{"argv": ["true"], "shell": True}])]
    code, output = deploy(site, "v1", services, "bad.json")
    assert code != 0
    assert "shell" in output and "verify_commands" in output, output[-3000:]
    assert not site.reports() or site.reports()[-1]["failed_phase"] == "preflight"
    assert not glob.glob(os.path.join(site.root, "instances", "*.pid"))
