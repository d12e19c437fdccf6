# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.runbook.ops.plugins.filter.platform_reads import (
    answered_colors, denied_verbs, release_labels, service_colors)

LABEL = "app.kubernetes.io/color"


def service_read(name, selector=None):
    resources = [] if selector is None else [{"spec": {"selector": selector}}]
    return {"item": {"name": name}, "resources": resources}


def test_service_colors_come_from_the_selectors_of_the_services_found():
    reads = [service_read("api", {LABEL: "blue"}), service_read("web", {"app": "web"}), service_read("gone")]
    assert service_colors(reads, LABEL) == {"api": "blue", "web": "none"}


def test_release_labels_say_none_for_a_deployment_absent_or_not_read():
    labelled = {"item": {}, "resources": [{"metadata": {"labels": {"app.kubernetes.io/version": "v2"}}}]}
    unlabelled = {"item": {}, "resources": [{"metadata": {}}]}
    skipped = {"item": {}, "skipped": True}
    assert release_labels([labelled, unlabelled, skipped, {"item": {}, "resources": []}]) == ["v2", "none", "none", "none"]


def test_answered_colors_prefer_the_canary_weights():
    answers = [{"item": {"name": "api"}, "json": {"color": "green"}}, {"item": {"name": "web"}, "json": {"color": "blue"}},
               {"item": {"name": "db"}, "msg": "connection refused"}]
    assert answered_colors(answers, {"web": "mixed"}) == ["green", "mixed", "none"]
    assert answered_colors(answers) == ["green", "blue", "none"]


def test_denied_verbs_name_the_verb_and_resource():
    def review(verb, resource, allowed):
        return {"item": [{"resource": resource, "verbs": [verb]}, verb], "result": {"status": {"allowed": allowed}}}
    reviews = [review("get", "services", True), review("patch", "services", False), review("list", "pods", None)]
    assert denied_verbs(reviews) == ["patch services", "list pods"]


@pytest.mark.parametrize("reads", [{"results": []}, ["api"]])
def test_anything_but_looped_results_is_refused(reads):
    with pytest.raises(AnsibleFilterError, match="expects the results list"):
        release_labels(reads)
