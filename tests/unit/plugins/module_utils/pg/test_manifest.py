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
