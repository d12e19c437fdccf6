# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # TLS, authentication, redirects and timeouts of modules that send HTTP requests.
    DOCUMENTATION = r'''
options:
  validate_certs:
    description:
      - Verify the server's TLS certificate against the system trust store or O(ca_path).
      - Only set to V(false) for throwaway test systems.
    type: bool
    default: true
  ca_path:
    description:
      - PEM file with the CA certificate(s) that signed the server certificate.
    type: path
  client_cert:
    description:
      - PEM file with the client certificate for mutual TLS (may also hold the key).
    type: path
  client_key:
    description:
      - PEM file with the private key of O(client_cert), when it is not in that file.
    type: path
  url_username:
    description:
      - User name for HTTP basic authentication; the header is sent with the first request.
    type: str
  url_password:
    description:
      - Password for HTTP basic authentication. Never logged.
      - It, C(user:password) and their base64 form (the C(Authorization) header) are masked as
        C(********) wherever a response quotes them in the result or a written report.
    type: str
  bearer_token:
    description:
      - "Token sent as C(Authorization: Bearer <token>) with every request. Never logged."
      - Masked as C(********) wherever a response quotes it (also URL- or JSON-escaped) in the
        result or a written report.
    type: str
  secret_headers:
    description:
      - Headers sent with every request whose values are secret (API keys). Never logged; masked as
        C(********) wherever a response quotes them in the result or a written report.
    type: dict
  use_proxy:
    description:
      - Send requests through the proxy of C(http_proxy) / C(https_proxy), except for hosts in C(no_proxy),
        as M(ansible.builtin.uri) does. V(false) ignores those environment variables and connects directly.
    type: bool
    default: true
  follow_redirects:
    description:
      - V(none) reports a redirect as its 3xx status, V(safe) follows redirects of GET and HEAD,
        V(all) follows every redirect.
    type: str
    choices: [none, safe, all]
    default: none
  timeout:
    description:
      - Seconds to wait for each response (connect and read) before the request counts as a timeout.
    type: float
    default: 10
'''
