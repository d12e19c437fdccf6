# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""What the platform answered to the reads of a run: live colors, releases, granted verbs.

Each filter takes the C(results) of a looped read (kubernetes.core.k8s_info, k8s or uri) and is
documented in the .yml file of its name next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.errors import AnsibleFilterError

RELEASE_LABEL = "app.kubernetes.io/version"


def first_resource(result):
    """The object a k8s_info read of one name found, {} when it found none or was skipped."""
    resources = result.get("resources") or []
    return resources[0] if resources else {}


def service_colors(results, label):
    """{service: color} from reads of the Services, the color being the selector's label; absent Services are left out."""
    colors = {}
    for result in checked_results(results, "service_colors"):
        if result.get("resources"):
            selector = (first_resource(result).get("spec") or {}).get("selector") or {}
            colors[result["item"]["name"]] = selector.get(label, "none")
    return colors


def release_labels(results):
    """The release label of each Deployment read, 'none' for one absent or not read."""
    return [((first_resource(result).get("metadata") or {}).get("labels") or {}).get(RELEASE_LABEL, "none")
            for result in checked_results(results, "release_labels")]


def answered_colors(results, canary_live_colors=None):
    """The color each service's /version answered; a canary service's weights tell instead ('mixed' mid-way)."""
    canary_live_colors = canary_live_colors or {}
    return [canary_live_colors.get(result["item"]["name"], (result.get("json") or {}).get("color", "none"))
            for result in checked_results(results, "answered_colors")]


def denied_verbs(results):
    """'<verb> <resource>' for every SelfSubjectAccessReview of a looped read that was not allowed."""
    return ["%s %s" % (result["item"][1], result["item"][0]["resource"])
            for result in checked_results(results, "denied_verbs")
            if not result["result"]["status"].get("allowed")]


def checked_results(results, name):
    if not isinstance(results, list) or not all(isinstance(result, dict) for result in results):
        raise AnsibleFilterError("%s expects the results list of a looped task, got %r" % (name, results))
    return results


class FilterModule(object):
    def filters(self):
        return {
            "service_colors": service_colors,
            "release_labels": release_labels,
            "answered_colors": answered_colors,
            "denied_verbs": denied_verbs,
        }
