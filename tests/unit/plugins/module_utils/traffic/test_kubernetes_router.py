# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.runbook.ops.plugins.module_utils import transaction
from ansible_collections.runbook.ops.plugins.module_utils.k8s import errors as k8s_errors
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.traffic.kubernetes_router import KubernetesRouter

DENIED = 'admission webhook "deny.example.com" denied the request: bi-service is frozen'
ADDRESS = "https://127.0.0.1:6443"


def api_error(code, reason, message):
    exc = k8s_errors.ApiException(status=code, reason=reason)
    exc.body = json.dumps({"kind": "Status", "code": code, "reason": reason, "message": message})
    return exc


class Configuration:
    host = ADDRESS


class Client:
    """kubernetes.core's K8SClient, failing each call with the error given for it (None: succeed)."""

    configuration = Configuration()
    dry_run = False

    def __init__(self, lookup=None, get=None, replace=None):
        self.lookup, self.get_error, self.replace_error = lookup, get, replace

    def resource(self, kind, api_version):
        if self.lookup:
            raise self.lookup
        return type("Resource", (), {"kind": kind})()

    def get(self, resource, **params):
        raise self.get_error

    def replace(self, resource, definition, **params):
        raise self.replace_error


def router(**failures):
    return KubernetesRouter(Client(**failures), "istio", "shop", {})


@pytest.mark.parametrize("failure, expected", [
    (api_error(404, "NotFound", 'virtualservices.networking.istio.io "bi-service" not found'),
     "VirtualService bi-service not found in namespace shop"),
    (api_error(403, "Forbidden", 'virtualservices.networking.istio.io "bi-service" is forbidden: User "ops" cannot get '
                                 'resource "virtualservices"'),
     'Cannot read VirtualService bi-service in namespace shop: HTTP 403 Forbidden (forbidden by RBAC): '
     'virtualservices.networking.istio.io "bi-service" is forbidden: User "ops" cannot get resource "virtualservices"'),
    (k8s_errors.ProtocolError("Connection aborted."),
     "Cannot read VirtualService bi-service in namespace shop: the connection to the Kubernetes API server at "
     "https://127.0.0.1:6443 broke: Connection aborted."),
])
def test_read_failures_say_what_happened(failure, expected):
    with pytest.raises(RunbookError) as caught:
        router(get=failure).read("bi-service")
    assert caught.value.msg == expected


def test_a_refused_replace_is_reported_whole_by_the_group_transaction():
    shifting = router(replace=api_error(403, "Frozen", DENIED))
    with pytest.raises(RunbookError) as caught:
        transaction.apply_all(["bi-service"], lambda name: shifting.replace({"metadata": {"name": name}}),
                              lambda name: None)
    assert caught.value.msg.startswith('Changing bi-service failed: HTTP 403 Frozen (denied by admission webhook '
                                       '"deny.example.com"): ' + DENIED)


@pytest.mark.parametrize("failure, expected", [
    (k8s_errors.ResourceNotFoundError("No matches found for {'kind': 'VirtualService'}"),
     "The cluster does not serve networking.istio.io/v1 VirtualService (is its CRD installed?)"),
    (k8s_errors.ProtocolError("Connection aborted."),
     "Cannot look up networking.istio.io/v1 VirtualService at https://127.0.0.1:6443: the connection to the "
     "Kubernetes API server at https://127.0.0.1:6443 broke"),
])
def test_a_kind_that_cannot_be_looked_up_is_not_blamed_on_its_crd_unless_it_is_missing(failure, expected):
    with pytest.raises(RunbookError) as caught:
        router(lookup=failure)
    assert caught.value.msg.startswith(expected)
