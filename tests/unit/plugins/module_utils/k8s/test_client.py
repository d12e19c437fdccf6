# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.k8s import client, errors
from ansible_collections.runbook.ops.tests.unit.plugins.module_utils.k8s.fakes import Connection, Pool


@pytest.mark.parametrize("content, error, expected", [
    (None, ValueError("Invalid kube-config file. No configuration found."), "the file does not exist"),
    (b"just some words\n", TypeError("'str' object does not support item assignment"),
     "it holds a YAML str, not a kubeconfig mapping (TypeError: 'str' object does not support item assignment)"),
    (b"- a\n- b\n", TypeError("list indices must be integers or slices, not str"),
     "it holds a YAML list, not a kubeconfig mapping (TypeError: list indices must be integers or slices, not str)"),
    (b"apiVersion: v1\nclusters: 5\n", TypeError("'int' object is not iterable"),
     "TypeError: 'int' object is not iterable"),
    (b"\x00\xff", UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"),
     "UnicodeDecodeError: 'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"),
])
def test_describe_config_error(tmp_path, content, error, expected):
    path = tmp_path / "kubeconfig"
    if content is not None:
        path.write_bytes(content)
    assert client.describe_config_error(error, str(path)) == expected


@pytest.mark.parametrize("params, env, expected", [
    ({"kubeconfig": "/etc/kube/prod"}, {}, ("kubeconfig /etc/kube/prod", "/etc/kube/prod")),
    ({}, {"K8S_AUTH_KUBECONFIG": "/etc/kube/env"}, ("kubeconfig /etc/kube/env", "/etc/kube/env")),
    ({}, {"KUBECONFIG": "/etc/kube/default"}, ("kubeconfig /etc/kube/default (the default)", "/etc/kube/default")),
    ({"kubeconfig": {"clusters": []}}, {}, ("the kubeconfig given as a dict", None)),
    ({"host": "https://k8s:6443", "api_key": "secret"}, {}, ("the connection options (host https://k8s:6443)", None)),
])
def test_config_source(monkeypatch, params, env, expected):
    for name in ("K8S_AUTH_KUBECONFIG", "KUBECONFIG", "K8S_AUTH_HOST", "K8S_AUTH_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert client.config_source(params) == expected


@pytest.mark.parametrize("failure, expected", [
    (errors.MaxRetryError(Pool(), "/version", errors.NewConnectionError(
        Connection(), "Failed to establish a new connection: [Errno 111] Connection refused")),
     "Cannot read the Kubernetes API's discovery: cannot connect to the Kubernetes API server at "
     "https://127.0.0.1:6443: [Errno 111] Connection refused; nothing was changed"),
    (TypeError("'str' object does not support item assignment"),
     "Cannot configure the Kubernetes client from kubeconfig {path}: it holds a YAML str, not a kubeconfig mapping "
     "(TypeError: 'str' object does not support item assignment); nothing was changed"),
])
def test_connect_never_lets_a_client_error_through(monkeypatch, tmp_path, failure, expected):
    path = tmp_path / "kubeconfig"
    path.write_text("just some words\n")

    def get_api_client(module=None, **params):
        raise failure

    monkeypatch.setattr(client, "get_api_client", get_api_client)
    with pytest.raises(RunbookError) as caught:
        client.connect(kubeconfig=str(path))
    assert caught.value.msg == expected.format(path=path)


class Wrapper:
    """Stands for kubernetes.core's AnsibleK8SModule, which keeps the AnsibleModule it wraps as _module."""

    def __init__(self, module):
        self._module = module


def test_ansible_module_is_the_wrapped_one_or_the_module_itself():
    module = object()
    assert client.ansible_module(Wrapper(module)) is module
    assert client.ansible_module(module) is module
