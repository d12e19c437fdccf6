# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""community.postgresql's and amazon.aws's option names, and use_proxy of the HTTP probes."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

from ansible_collections.runbook.ops.plugins.module_utils import http_client
from ansible_collections.runbook.ops.plugins.module_utils.aws import client as aws_client
from ansible_collections.runbook.ops.plugins.module_utils.pg import connection, s3, storage
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError


def validated(spec, params):
    result = ArgumentSpecValidator(spec).validate(params)
    assert not result.error_messages, result.error_messages
    return result


@pytest.mark.parametrize("alias, option, value", [
    ("login_host", "host", "db.example"),
    ("login_port", "port", 6432),
    ("login_user", "user", "backup"),
    ("login_password", "password", "s3cr3t"),
    ("ssl_mode", "sslmode", "verify-full"),
    ("ca_cert", "sslrootcert", "/etc/pki/ca.pem"),
    ("ssl_rootcert", "sslrootcert", "/etc/pki/ca.pem"),
    ("ssl_cert", "sslcert", "/etc/pki/client.pem"),
    ("ssl_key", "sslkey", "/etc/pki/client.key"),
    ("login_db", "maintenance_db", "template1"),
])
def test_community_postgresql_names_set_the_connection_options(alias, option, value):
    result = validated(connection.argument_spec(), {alias: value})
    assert result.validated_parameters[option] == value


def test_login_password_is_never_logged():
    result = validated(connection.argument_spec(), {"login_password": "s3cr3t"})
    assert "s3cr3t" in result._no_log_values


def test_an_unknown_ssl_mode_through_the_alias_is_refused():
    result = ArgumentSpecValidator(connection.argument_spec()).validate({"ssl_mode": "sometimes"})
    assert len(result.error_messages) == 1
    assert "sslmode" in result.error_messages[0]


@pytest.mark.parametrize("alias, option", [
    ("access_key", "aws_access_key"),
    ("aws_access_key_id", "aws_access_key"),
    ("secret_key", "aws_secret_key"),
    ("aws_secret_access_key", "aws_secret_key"),
    ("aws_session_token", "session_token"),
    ("security_token", "session_token"),
    ("aws_profile", "profile"),
    ("aws_region", "region"),
    ("aws_endpoint_url", "endpoint_url"),
    ("s3_url", "endpoint_url"),
])
def test_amazon_aws_names_set_the_s3_options(alias, option):
    result = validated(storage.argument_spec(), {alias: "value-of-" + alias})
    assert result.validated_parameters[option] == "value-of-" + alias


@pytest.mark.parametrize("secret", ["access_key", "secret_key", "session_token"])
def test_s3_credentials_are_never_logged(secret):
    result = validated(storage.argument_spec(), {secret: "very-secret-" + secret})
    assert "very-secret-" + secret in result._no_log_values


def profile_not_found():
    """botocore's error for a profile the AWS configuration lacks (its class takes keyword arguments only)."""
    error = s3.BotoCoreError.__new__(s3.BotoCoreError)
    error.args = ("The config profile (nowhere) could not be found",)
    return error


class FakeSession:
    created = []

    def __init__(self, **kwargs):
        if kwargs.get("profile_name") == "nowhere":
            raise profile_not_found()
        self.kwargs = kwargs
        self.clients = []
        FakeSession.created.append(self)

    def client(self, service, **kwargs):
        self.clients.append((service, kwargs))
        return "client"


class FakeBoto3:
    class session:
        Session = FakeSession


@pytest.fixture
def fake_session(mocker):
    """boto3 (installed or not) replaced by a session that records what it is given."""
    FakeSession.created = []
    mocker.patch.object(aws_client, "boto3", FakeBoto3, create=True)
    mocker.patch.object(aws_client, "Config", dict, create=True)
    mocker.patch.object(s3, "HAS_BOTO3", True)
    return FakeSession


def open_s3(params):
    return storage.open_destination("s3://bucket/prefix/", validated(storage.argument_spec(), params).validated_parameters)


def test_session_token_profile_and_ca_bundle_reach_boto3(fake_session):
    open_s3({"access_key": "AKIA", "secret_key": "sk", "session_token": "tok", "profile": "ops",
             "region": "eu-west-1", "aws_ca_bundle": "/etc/pki/s3-ca.pem", "endpoint_url": "https://s3.example"})
    (session,) = fake_session.created
    assert session.kwargs == dict(aws_access_key_id="AKIA", aws_secret_access_key="sk", aws_session_token="tok",
                                  region_name="eu-west-1", profile_name="ops")
    ((service, kwargs),) = session.clients
    assert service == "s3"
    assert kwargs["verify"] == "/etc/pki/s3-ca.pem"
    assert kwargs["endpoint_url"] == "https://s3.example"


def test_validate_certs_false_turns_verification_off_even_with_a_bundle(fake_session):
    open_s3({"validate_certs": False, "aws_ca_bundle": "/etc/pki/s3-ca.pem"})
    assert fake_session.created[0].clients[0][1]["verify"] is False


def test_by_default_the_certificate_is_verified_against_botocores_bundle(fake_session):
    open_s3({})
    assert fake_session.created[0].clients[0][1]["verify"] is True
    assert fake_session.created[0].kwargs["profile_name"] is None


def test_a_profile_that_does_not_exist_is_a_clear_error(fake_session):
    with pytest.raises(RunbookError) as caught:
        open_s3({"profile": "nowhere"})
    assert str(caught.value) == "Cannot set up the S3 client: The config profile (nowhere) could not be found"
    assert fake_session.created == []


def http_params(**overrides):
    return validated(http_client.http_argument_spec(), overrides).validated_parameters


def test_use_proxy_defaults_to_true_as_ansible_builtin_uri():
    assert http_params()["use_proxy"] is True
    assert http_client.build_requester(http_params(), "test").use_proxy is True


def test_use_proxy_false_reaches_the_request():
    assert http_client.build_requester(http_params(use_proxy=False), "test").use_proxy is False


@pytest.fixture
def proxy(monkeypatch):
    """An HTTP proxy on loopback that answers every request itself and records the URLs asked for."""
    asked = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            asked.append(self.path)
            self.send_response(200)
            self.send_header("Content-Length", "9")
            self.end_headers()
            self.wfile.write(b"via proxy")

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    for name in ("no_proxy", "NO_PROXY", "HTTP_PROXY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:%d" % server.server_address[1])
    yield asked
    server.shutdown()
    server.server_close()


def test_with_use_proxy_requests_go_through_http_proxy(proxy):
    response = http_client.build_requester(http_params(timeout=5), "test").open("GET", "http://service.invalid/health")
    assert response.read() == b"via proxy"
    assert proxy == ["http://service.invalid/health"]


def test_use_proxy_false_ignores_http_proxy(proxy):
    requester = http_client.build_requester(http_params(use_proxy=False, timeout=5), "test")
    with pytest.raises(Exception) as caught:
        requester.open("GET", "http://service.invalid/health")
    assert proxy == []
    assert "via proxy" not in str(caught.value)
