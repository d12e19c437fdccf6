# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.pg import manifest

VALID = {
    "key": "2026/03/07/app_20260307T040506789Z.dump", "checksum": "sha256:" + "ab" * 32, "size": 10,
    "database": "app", "format": "custom", "started": "2026-03-07T04:05:06+00:00",
    "finished": "2026-03-07T04:05:07+00:00",
}


def without(field):
    return dict((k, v) for k, v in VALID.items() if k != field)


def test_round_trip():
    parsed = manifest.parse(manifest.dumps(VALID))
    assert parsed == dict(VALID, manifest_version=manifest.VERSION)


@pytest.mark.parametrize("data, complaint", [
    (b"{not json", "not valid JSON"),
    (b"[]", "not a JSON object"),
    (json.dumps(without("checksum")), "'checksum'"),
    (json.dumps(without("size")), "'size'"),
    (json.dumps(dict(VALID, size="10")), "'size'"),
    (json.dumps(dict(VALID, size=True)), "'size'"),
    (json.dumps(dict(VALID, checksum="md5:abc")), "sha256"),
    (json.dumps(dict(VALID, checksum="sha256:abc")), "sha256"),
    (json.dumps(without("finished")), "'finished'"),
])
def test_rejects(data, complaint):
    with pytest.raises(manifest.ManifestError) as info:
        manifest.parse(data, "m.json")
    assert complaint in info.value.msg and "m.json" in info.value.msg


@pytest.mark.parametrize("verification, verified", [
    (None, False),
    ({"method": "none", "passed": None}, False),
    ({"method": "archive", "passed": True}, True),
    ({"method": "restore", "passed": True}, True),
    ({"method": "archive", "passed": False}, False),
])
def test_is_verified(verification, verified):
    assert manifest.is_verified(dict(VALID, verification=verification)) is verified


SECRET = "correct horse battery staple"


def signed(body=None, secret=SECRET):
    return manifest.parse(manifest.dumps(body or dict(VALID, row_counts={"public.items": 3}), secret))


def test_canonical_form_is_sorted_compact_ascii_and_leaves_out_the_hmac():
    body = {"b": 1, "a": {"z": "é", "y": [1, 2]}, "hmac": "hmac-sha256:00"}
    assert manifest.canonical(body) == b'{"a":{"y":[1,2],"z":"\\u00e9"},"b":1}'


def test_canonical_form_does_not_depend_on_key_order_or_layout():
    parsed = signed()
    reordered = json.loads(json.dumps(dict(reversed(list(parsed.items())))))
    assert manifest.canonical(parsed) == manifest.canonical(reordered)


def test_hmac_is_hmac_sha256_of_the_canonical_form():
    import hashlib
    import hmac
    parsed = signed()
    expected = hmac.new(SECRET.encode(), manifest.canonical(parsed), hashlib.sha256).hexdigest()
    assert parsed["hmac"] == "hmac-sha256:" + expected
    assert parsed["manifest_version"] == manifest.VERSION


def test_unsigned_without_a_secret():
    assert "hmac" not in manifest.parse(manifest.dumps(VALID))
    # A stale hmac in what is dumped again without a key is not kept.
    assert "hmac" not in manifest.parse(manifest.dumps(dict(VALID, hmac="hmac-sha256:00")))


def test_authenticates_a_signed_manifest():
    assert manifest.authenticate(signed(), SECRET) is True


def test_without_a_key_nothing_is_authenticated():
    assert manifest.authenticate(signed(), None) is False
    assert manifest.authenticate(manifest.parse(manifest.dumps(VALID)), None) is False


@pytest.mark.parametrize("change", [
    {"checksum": "sha256:" + "cd" * 32},
    {"size": 11},
    {"row_counts": {"public.items": 4}},
    {"identity": {"toc_digest": "sha256:" + "00" * 32}},
    {"database": "other"},
])
def test_any_rewritten_field_fails_the_hmac(change):
    tampered = dict(signed(), **change)
    with pytest.raises(manifest.ManifestError) as info:
        manifest.authenticate(tampered, SECRET, key="m.json")
    assert "does not match manifest_hmac_key" in info.value.msg and "m.json" in info.value.msg


def test_another_key_fails_the_hmac():
    with pytest.raises(manifest.ManifestError):
        manifest.authenticate(signed(secret="another key"), SECRET)


@pytest.mark.parametrize("hmac_value", ["", "hmac-sha256:", 12, None])
def test_malformed_hmac_is_refused(hmac_value):
    tampered = dict(signed(), hmac=hmac_value)
    if hmac_value is None:
        del tampered["hmac"]
    with pytest.raises(manifest.ManifestError):
        manifest.authenticate(tampered, SECRET)


def test_unsigned_manifest_is_refused_with_a_key_unless_allowed():
    unsigned = manifest.parse(manifest.dumps(VALID))
    with pytest.raises(manifest.ManifestError) as info:
        manifest.authenticate(unsigned, SECRET)
    assert "carries no HMAC" in info.value.msg and "allow_unsigned_manifest" in info.value.msg
    assert manifest.authenticate(unsigned, SECRET, allow_unsigned=True) is False


def test_allowing_unsigned_manifests_does_not_accept_a_wrong_hmac():
    with pytest.raises(manifest.ManifestError):
        manifest.authenticate(dict(signed(), size=99), SECRET, allow_unsigned=True)


def test_an_empty_key_is_refused_not_taken_for_none():
    from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
    with pytest.raises(InputError) as info:
        manifest.authenticate(signed(), "")
    assert "manifest_hmac_key" in info.value.msg


def test_version_1_manifests_still_parse():
    old = dict(VALID, manifest_version=1)
    assert manifest.parse(json.dumps(old))["manifest_version"] == 1
