# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.switch import lock

NOW = datetime.datetime(2026, 1, 1, 12, 0, 0)


@pytest.mark.parametrize("spec, expired", [
    ({"renewTime": "2026-01-01T11:59:30.000000Z", "leaseDurationSeconds": 60}, False),
    ({"renewTime": "2026-01-01T11:58:00.000000Z", "leaseDurationSeconds": 60}, True),
    ({"acquireTime": "2026-01-01T11:59:59Z", "leaseDurationSeconds": 10}, False),
    ({"holderIdentity": "x"}, True),
])
def test_expired(spec, expired):
    assert lock.expired({"spec": spec}, NOW) is expired


def test_holder_names_identity_and_renewal():
    text = lock.holder_of({"spec": {"holderIdentity": "ops@host/c1", "renewTime": "t", "leaseDurationSeconds": 90}})
    assert text == "ops@host/c1 (renewed t, for 90s)"


def test_lease_name():
    assert lock.lease_name("core") == "runbook-switch-core"
