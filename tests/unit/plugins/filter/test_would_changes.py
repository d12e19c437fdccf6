# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.filter.would_changes import would_deploy_changes, would_scale_up


def test_instances_and_deployments_say_what_the_deploy_would_do():
    versions = [
        {"item": {"name": "api"}, "json": {"release": "v2", "color": "green"}},
        {"item": {"name": "web"}, "json": {"release": "v1", "color": "green"}},
        {"item": {"name": "feed"}, "msg": "connection refused"},
        {"item": {"name": "db"}, "skipped": True},
    ]
    applied = [{"item": {"name": "api"}, "changed": True, "result": {"metadata": {"name": "api-green"}}},
               {"item": {"name": "web"}, "changed": False}, {"item": {"name": "db"}, "skipped": True}]
    assert would_deploy_changes(versions, applied, "v2", "green") == [
        "api-green: already runs v2",
        "web-green: would start v2 (runs v1)",
        "feed-green: would start v2 (runs nothing)",
        "api-green: would apply v2",
        "web: already as v2 would have it",
    ]


def test_deployments_with_fewer_ready_replicas_would_be_scaled_up():
    def read(name, color, replicas, live=None):
        return {"item": [{"name": name, "replicas": replicas}, color], "resources": [live] if live else []}
    reads = [read("api", "blue", 3, {"spec": {"replicas": 0}, "status": {}}),
             read("web", "green", 2, {"spec": {"replicas": 2}, "status": {"readyReplicas": 2}}),
             read("feed", "blue", "1")]
    assert would_scale_up(reads) == ["api-blue from 0 to 3", "feed-blue from 0 to 1"]
