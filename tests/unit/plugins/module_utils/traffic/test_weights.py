# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.traffic import weights


def virtual_service(*routes):
    return {"metadata": {"name": "bi"}, "spec": {"http": [
        {"route": [{"destination": {"host": "bi", "subset": subset}, "weight": weight} for subset, weight in route]}
        for route in routes]}}


@pytest.mark.parametrize("routes, weight", [
    ([[("stable", 100), ("canary", 0)]], 0),
    ([[("stable", 90), ("canary", 10)], [("stable", 90), ("canary", 10)]], 10),
    ([[("canary", 100)], [("stable", 50), ("canary", 50)]], 50),
])
def test_istio_weight_reads_the_weighted_routes(routes, weight):
    assert weights.istio_weight(virtual_service(*routes), "stable", "canary") == weight


@pytest.mark.parametrize("routes, message", [
    ([[("stable", 100)]], "no HTTP route to both subsets"),
    ([[("stable", 90), ("canary", 10)], [("stable", 50), ("canary", 50)]], "splits its routes differently"),
])
def test_istio_weight_refuses_what_it_cannot_shift(routes, message):
    with pytest.raises(RunbookError, match=message):
        weights.istio_weight(virtual_service(*routes), "stable", "canary")


def test_istio_with_weight_leaves_other_routes_and_the_input_alone():
    before = virtual_service([("canary", 100)], [("stable", 100), ("canary", 0)])
    after = weights.istio_with_weight(before, "stable", "canary", 25)
    assert [d.get("weight") for d in after["spec"]["http"][1]["route"]] == [75, 25]
    assert after["spec"]["http"][0] == before["spec"]["http"][0]
    assert [d["weight"] for d in before["spec"]["http"][1]["route"]] == [100, 0]


@pytest.mark.parametrize("alternate, weight, expected", [
    ([], 10, [{"kind": "Service", "name": "green", "weight": 10}]),
    ([{"kind": "Service", "name": "green", "weight": 10}], 100, [{"kind": "Service", "name": "green", "weight": 100}]),
    ([{"kind": "Service", "name": "mirror", "weight": 0}], 5,
     [{"kind": "Service", "name": "mirror", "weight": 0}, {"kind": "Service", "name": "green", "weight": 5}]),
])
def test_route_with_weight(alternate, weight, expected):
    route = {"metadata": {"name": "api"}, "spec": {"to": {"kind": "Service", "name": "blue", "weight": 100},
                                                   "alternateBackends": alternate}}
    changed = weights.route_with_weight(route, "green", weight)
    assert changed["spec"]["to"]["weight"] == 100 - weight
    assert changed["spec"]["alternateBackends"] == expected
    assert weights.route_weight(changed, "green") == weight


def test_a_route_whose_target_is_the_canary_is_refused():
    route = {"metadata": {"name": "api"}, "spec": {"to": {"kind": "Service", "name": "green"}}}
    with pytest.raises(RunbookError, match="must be an alternate backend"):
        weights.route_with_weight(route, "green", 10)


@pytest.mark.parametrize("annotations, previous", [
    ({"runbook.ops/previous-weight": "10"}, 10),
    ({}, None),
    ({"runbook.ops/previous-weight": "ten"}, None),
])
def test_previous_weight(annotations, previous):
    assert weights.previous_weight({"metadata": {"annotations": annotations}}) == previous


def test_annotated_records_the_previous_weight_and_keeps_other_annotations():
    marked = weights.annotated({"metadata": {"annotations": {"team": "bi"}}}, 10, "c1")
    assert marked["metadata"]["annotations"] == {"team": "bi", weights.PREVIOUS: "10", weights.CHANGE_ID: "c1"}
    assert weights.previous_weight(marked) == 10
