# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.filter.smoke_results import smoke_summaries, url_template_errors


def test_url_templates_with_unknown_placeholders_or_keys_are_named():
    templates = {"live": "https://{service}.{host}:{port}", "idle": "http://{service}-{color}.{namespace}", "blue": "x"}
    assert url_template_errors(templates) == ["live: {host}", "the key blue (use idle and live)"]
    assert url_template_errors({}) == []


def test_smoke_results_become_report_entries():
    passed = {"item": {"name": "api"}, "success": True, "msg": "",
              "overall": {"count": 40, "error_rate": 0.0, "latency_ms": {"p95": 12.5}},
              "breaches": [{"gate": "p95"}, {"gate": "P95"}, {"gate": "error_rate"}, {}]}
    not_ready = {"item": {"name": "web"}, "failed": True, "msg": "not ready within 60 s"}
    assert smoke_summaries([passed, not_ready], "idle") == [
        {"target": "idle", "service": "api", "success": True, "requests": 40, "error_rate": 0.0, "p95_ms": 12.5,
         "breaches": ["p95", "error_rate", ""], "msg": ""},
        {"target": "idle", "service": "web", "success": False, "requests": None, "error_rate": None, "p95_ms": None,
         "breaches": [], "msg": "not ready within 60 s"},
    ]
