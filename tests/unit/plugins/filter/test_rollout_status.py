# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.runbook.ops.plugins.filter.rollout_status import rollout_pending, rollout_status


def deployment(wanted=3, generation=2, **status):
    return {"metadata": {"generation": generation}, "spec": {"replicas": wanted}, "status": status}


@pytest.mark.parametrize("resources, done, text", [
    ([deployment(observedGeneration=2, replicas=3, updatedReplicas=3, availableReplicas=3)], True,
     "3 of 3 updated, 3 of 3 available"),
    ([deployment(observedGeneration=1, replicas=3, updatedReplicas=3, availableReplicas=3)], False,
     "3 of 3 updated, 3 of 3 available, latest change not yet seen by the controller"),
    ([deployment(observedGeneration=2, replicas=4, updatedReplicas=2, availableReplicas=3, unavailableReplicas=1)],
     False, "2 of 3 updated, 3 of 3 available, 2 old still running"),
    ([deployment(observedGeneration=2, replicas=3, updatedReplicas=3, availableReplicas=2, unavailableReplicas=1)],
     False, "3 of 3 updated, 2 of 3 available"),
    ([deployment(wanted=0, observedGeneration=2)], True, "0 of 0 updated, 0 of 0 available"),
    ([{"metadata": {"generation": 1}, "spec": {"replicas": 2}}], False, "0 of 2 updated, 0 of 2 available, latest change not yet seen by the controller"),
    ([], False, "not found"),
])
def test_a_deployment_has_rolled_out_when_every_replica_is_new_and_available(resources, done, text):
    assert rollout_status(resources) == {"done": done, "text": text}


@pytest.mark.parametrize("resources", [{"kind": "Deployment"}, ["judgment-service"]])
def test_anything_but_a_k8s_info_read_is_refused(resources):
    with pytest.raises(AnsibleFilterError, match="rollout_status expects"):
        rollout_status(resources)


def test_pending_rollouts_say_what_each_deployment_shows():
    reads = [
        {"item": "api-green", "resources": [deployment(observedGeneration=2, replicas=3, updatedReplicas=3, availableReplicas=3)]},
        {"item": "web-green", "resources": [deployment(observedGeneration=2, replicas=3, updatedReplicas=3, availableReplicas=2)]},
        {"item": "feed-green", "resources": []},
        {"item": "db-green", "msg": "Unauthorized"},
        {"item": "search-green"},
    ]
    assert rollout_pending(reads) == ["web-green (3 of 3 updated, 2 of 3 available)", "feed-green (not found)",
                                      "db-green (Unauthorized)", "search-green (not read)"]
