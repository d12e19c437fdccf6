# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.runbook.ops.plugins.filter.rollback_plan import previous_pod_template, rollback_scale_up

LABEL = "app.kubernetes.io/color"


def service_read(name, color, **service):
    service["name"] = name
    return {"item": service, "resources": [{"spec": {"selector": {LABEL: color}}}]}


def test_blue_green_services_go_back_to_the_other_color_and_canaries_to_either():
    plan = rollback_scale_up([service_read("api", "green", replicas=3), service_read("web", "blue")],
                             [{"name": "search"}, {"name": "feed", "replicas": 2}], {"search": "mixed", "feed": "green"}, LABEL)
    assert plan == [
        {"name": "api", "replicas": 3, "colors": ["blue"]},
        {"name": "web", "replicas": 1, "colors": ["green"]},
        {"name": "search", "replicas": 1, "colors": ["blue", "green"]},
        {"name": "feed", "replicas": 2, "colors": ["blue"]},
    ]


@pytest.mark.parametrize("read, message", [
    ({"item": {"name": "api"}, "resources": []}, "api was not found"),
    (service_read("api", "none"), "selects color 'none'"),
])
def test_a_service_without_a_live_color_cannot_be_rolled_back(read, message):
    with pytest.raises(AnsibleFilterError, match=message):
        rollback_scale_up([read], [], {}, LABEL)


def replicaset(revision, owner, version, hash_="abc"):
    return {"metadata": {"annotations": {"deployment.kubernetes.io/revision": str(revision)},
                         "ownerReferences": [{"uid": owner}]},
            "spec": {"template": {"metadata": {"labels": {"app": "api", "pod-template-hash": hash_,
                                                          "app.kubernetes.io/version": version}},
                                  "spec": {"containers": []}}}}


DEPLOYMENT = {"metadata": {"uid": "u1", "annotations": {"deployment.kubernetes.io/revision": "4"}}}


def test_the_previous_template_is_the_highest_owned_revision_below_the_current_one():
    replicasets = [replicaset(2, "u1", "v2"), replicaset(3, "u1", "v3"), replicaset(4, "u1", "v4"), replicaset(3, "other", "x")]
    assert previous_pod_template(replicasets, DEPLOYMENT) == {
        "metadata": {"labels": {"app": "api", "app.kubernetes.io/version": "v3"}}, "spec": {"containers": []}}


def test_no_previous_revision_gives_no_template():
    assert previous_pod_template([replicaset(4, "u1", "v4"), replicaset(1, "other", "x")], DEPLOYMENT) == {}
