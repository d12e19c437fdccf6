# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible.errors import AnsibleFilterError
from ansible_collections.runbook.ops.plugins.filter.gate_seconds import gate_seconds

# inventories/prod: error rate for 300 s and latency for 180 s, both every 30 s.
PROD = [{"duration": 300, "interval": 30}, {"duration": 180, "interval": 30}]


@pytest.mark.parametrize("gates, options, seconds", [
    (PROD, {}, 300 + 11 * 10),
    (PROD, dict(timeout=0), 300),
    ([{"count": 5, "interval": 2}], {}, 8 + 5 * 10),
    ([{}], {}, 10),
    ([{"duration": 60}], dict(interval=20, timeout=1), 60 + 4),
    ({"duration": 60, "interval": 30}, dict(timeout=0), 60),
    ([], {}, 0),
])
def test_the_longest_gate_bounds_the_time(gates, options, seconds):
    assert gate_seconds(gates, **options) == seconds


@pytest.mark.parametrize("gates", ["300", [300], [{"duration": "five minutes"}]])
def test_gates_it_cannot_read_are_refused(gates):
    with pytest.raises(AnsibleFilterError, match="gate_seconds"):
        gate_seconds(gates)
