# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The Kubernetes client, made by kubernetes.core from the auth options, in one place.

A client that cannot be made fails with one line that is true about its cause: the API server's
discovery that does not answer (see errors.py), or the kubeconfig that does not load and why.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.k8s.errors import CLIENT_ERRORS, ApiError, one_line

try:
    import yaml
except ImportError:  # PyYAML comes with ansible-core and the kubernetes library
    class yaml:  # pylint: disable=invalid-name
        class YAMLError(Exception):
            pass

try:
    from ansible_collections.kubernetes.core.plugins.module_utils.args_common import AUTH_ARG_SPEC  # pylint: disable=unused-import
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.client import get_api_client
    from ansible_collections.kubernetes.core.plugins.module_utils.k8s.core import AnsibleK8SModule as K8S_MODULE
except ImportError:  # modules report the missing collection before they connect
    AUTH_ARG_SPEC = {}
    get_api_client = None
    K8S_MODULE = None
HAS_K8S_CORE = K8S_MODULE is not None


def build_module(argument_spec):
    """The module object of a module whose Kubernetes backend is optional: kubernetes.core's
    AnsibleK8SModule (its auth options, checked only when a Kubernetes backend is used) when that
    collection is installed, else a plain AnsibleModule, so the nginx and file backends run without it.
    """
    if K8S_MODULE is None:
        return AnsibleModule(argument_spec=argument_spec, supports_check_mode=True)
    return K8S_MODULE(argument_spec=argument_spec, supports_check_mode=True, check_k8s=False, check_pyyaml=False)


def ansible_module(module):
    """The AnsibleModule that kubernetes.core's AnsibleK8SModule wraps; a plain AnsibleModule is itself.

    AnsibleK8SModule passes on only a few of AnsibleModule's methods (run_command, for one, is not
    among them) and offers no public way to the module it wraps, hence its private attribute.
    """
    return getattr(module, "_module", module)


def api_client(module=None, **params):
    """kubernetes.core's client, its errors as they come: for callers that describe them their own way."""
    return get_api_client(module=module, **params)


def connect(module=None, **params):
    """kubernetes.core's client for the auth options, which also reads the API server's discovery."""
    try:
        return api_client(module=module, **params)
    except Exception as exc:  # pylint: disable=broad-except
        if isinstance(exc, CLIENT_ERRORS):
            raise ApiError("Cannot read the Kubernetes API's discovery", exc, outcome="nothing was changed") from exc
        # A kubeconfig that does not parse fails with whatever YAML, the config loader or the
        # dictionary access hit first: ScannerError, TypeError, KeyError, UnicodeDecodeError...
        source, path = config_source(dict(params, **(module.params if module else {})))
        raise RunbookError("Cannot configure the Kubernetes client from %s: %s; nothing was changed"
                           % (source, describe_config_error(exc, path))) from exc


def config_source(params):
    """What the client configuration comes from, the way kubernetes.core chooses it, and the file if any."""
    def given(name):
        return params.get(name) or os.environ.get("K8S_AUTH_%s" % name.upper())

    if given("host") and (given("api_key") or (given("username") and given("password"))
                          or (given("client_cert") and given("client_key"))):
        return "the connection options (host %s)" % given("host"), None
    kubeconfig = given("kubeconfig")
    if isinstance(kubeconfig, dict):
        return "the kubeconfig given as a dict", None
    if kubeconfig:
        return "kubeconfig %s" % kubeconfig, kubeconfig
    default = os.environ.get("KUBECONFIG", "~/.kube/config")
    return "kubeconfig %s (the default)" % default, default


def describe_config_error(exc, path):
    """The loader's error, unless the file is missing or no kubeconfig at all (it says neither plainly)."""
    path = os.path.expanduser(path) if path and os.pathsep not in path else None
    if path and not os.path.exists(path):
        return "the file does not exist"
    if path and not isinstance(exc, yaml.YAMLError):
        try:
            with open(path, "rb") as handle:
                content = yaml.safe_load(handle)
        except Exception:  # pylint: disable=broad-except
            content = {}  # unreadable or not YAML: the loader's error says so
        if content is not None and not isinstance(content, dict):
            return "it holds a YAML %s, not a kubeconfig mapping (%s: %s)" % (
                type(content).__name__, type(exc).__name__, one_line(exc))
    return "%s: %s" % (type(exc).__name__, one_line(exc))
