# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.filter.istio_canary_weights import istio_canary_weights


def destination(subset, weight=None):
    route = {"destination": {"host": "bi-service", "subset": subset}}
    if weight is not None:
        route["weight"] = weight
    return route


def virtual_service(*http, name="bi-service"):
    return {"metadata": {"name": name}, "spec": {"hosts": ["bi-service"], "http": list(http)}}


def test_weighted_route():
    vs = virtual_service({"route": [destination("blue", 90), destination("green", 10)]})
    assert istio_canary_weights([vs]) == {"bi-service": {"blue": 90, "green": 10}}


def test_a_single_destination_without_weight_takes_everything():
    vs = virtual_service({"route": [destination("green")]})
    assert istio_canary_weights([vs]) == {"bi-service": {"green": 100}}


def test_a_missing_weight_beside_others_is_zero():
    vs = virtual_service({"route": [destination("blue", 100), destination("green")]})
    assert istio_canary_weights([vs]) == {"bi-service": {"blue": 100, "green": 0}}


def test_header_routes_to_one_subset_do_not_hide_the_default_route():
    header_route = {"match": [{"headers": {"x-canary": {"exact": "1"}}}], "route": [destination("green")]}
    default_route = {"route": [destination("blue", 50), destination("green", 50)]}
    assert istio_canary_weights([virtual_service(default_route, header_route)]) == \
        {"bi-service": {"blue": 50, "green": 50}}


def test_routes_without_subsets_are_ignored():
    vs = virtual_service({"route": [{"destination": {"host": "bi-service"}}]})
    assert istio_canary_weights([vs]) == {"bi-service": {}}


def test_no_virtual_services():
    assert istio_canary_weights([]) == {}
    assert istio_canary_weights(None) == {}
