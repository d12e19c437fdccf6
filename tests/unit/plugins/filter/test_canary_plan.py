# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.filter.canary_plan import canary_gates, canary_targets

OPTIONS = ["url", "interval", "count"]


def test_every_gate_is_asked_of_every_service_with_its_placeholders_filled():
    gates = [
        {"name": "errors", "query": "rate(errors{app='{service}',color='{color}'}[1m])", "url": "http://p:9090", "count": 3,
         "bearer_token": "not an option"},
        {"check": {"type": "error_rate", "selector": "app=\"{service}\""}, "interval": 10},
        {"check": {"type": "latency"}},
        {"query": "up"},
    ]
    assert canary_gates([{"name": "api"}, {"name": "web"}], gates, "green", OPTIONS)[:4] == [
        {"name": "api errors", "url": "http://p:9090", "count": 3, "query": "rate(errors{app='api',color='green'}[1m])"},
        {"name": "api error_rate", "interval": 10, "check": {"type": "error_rate", "selector": "app=\"api\""}},
        {"name": "api latency", "check": {"type": "latency", "selector": ""}},
        {"name": "api gate 4", "query": "up"},
    ]
    assert [gate["name"] for gate in canary_gates([{"name": "api"}, {"name": "web"}], gates, "green", OPTIONS)][4:] == [
        "web errors", "web error_rate", "web latency", "web gate 4"]


def test_no_services_or_no_gates_ask_nothing():
    assert canary_gates([], [{"query": "up"}], "blue", OPTIONS) == []
    assert canary_gates([{"name": "api"}], [], "blue", OPTIONS) == []


def test_the_nginx_targets_pair_the_stable_and_canary_servers():
    entries = [{"name": "api", "blue": "127.0.0.1:18100", "green": "127.0.0.1:18200", "verify_url": "x"}]
    assert canary_targets(entries, "blue", "green") == [{"name": "api", "stable": "127.0.0.1:18100", "canary": "127.0.0.1:18200"}]
