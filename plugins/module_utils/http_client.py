# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""TLS, authentication, redirect and timeout options of modules that send HTTP requests.

The options are documented by the ``runbook.ops.http_probe`` doc fragment.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible.module_utils.urls import Request, make_context

from ansible_collections.runbook.ops.plugins.module_utils import redact


def http_argument_spec():
    return dict(
        validate_certs=dict(type='bool', default=True),
        ca_path=dict(type='path'),
        client_cert=dict(type='path'),
        client_key=dict(type='path'),
        url_username=dict(type='str'),
        url_password=dict(type='str', no_log=True),
        bearer_token=dict(type='str', no_log=True),
        secret_headers=dict(type='dict', no_log=True),
        follow_redirects=dict(type='str', default='none', choices=['none', 'safe', 'all']),
        timeout=dict(type='float', default=10),
        use_proxy=dict(type='bool', default=True),
    )


def build_requester(params, agent):
    """A shared ``Request`` with one SSL context, so no request pays for loading certificates."""
    context = make_context(cafile=params.get("ca_path"), validate_certs=params["validate_certs"],
                           client_cert=params.get("client_cert"), client_key=params.get("client_key"))
    headers = dict(params.get("secret_headers") or {})
    if params.get("bearer_token"):
        headers["Authorization"] = "Bearer %s" % params["bearer_token"]
    return Request(headers=headers, use_proxy=params.get("use_proxy", True), timeout=params["timeout"],
                   validate_certs=params["validate_certs"], url_username=params.get("url_username"),
                   url_password=params.get("url_password"), force_basic_auth=bool(params.get("url_username")),
                   follow_redirects=params["follow_redirects"], use_netrc=False, context=context,
                   http_agent=agent)


def build_redactor(argument_spec, params, headers=()):
    """A ``Redactor`` of every secret the module sends: its ``no_log`` options and the forms they take
    on the wire (``Bearer <token>``, basic authentication's base64), plus credential ``headers``."""
    secrets = redact.no_log_values(argument_spec, params)
    if params.get("bearer_token"):
        secrets.append("Bearer %s" % params["bearer_token"])
    secrets.extend(redact.basic_auth_forms(params.get("url_username"), params.get("url_password")))
    for header_dict in [params.get("secret_headers")] + list(headers):
        secrets.extend(redact.header_secrets(header_dict))
    return redact.Redactor(secrets)
