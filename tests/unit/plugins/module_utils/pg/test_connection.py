# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.pg import connection


class FakeConn:
    closed = False

    def close(self):
        self.closed = True


def test_connected_closes_the_connection_also_when_the_block_fails(monkeypatch):
    opened = []
    monkeypatch.setattr(connection.Connection, "connect", lambda self, database, autocommit=True: opened.append(
        (database, autocommit)) or FakeConn())
    conn = connection.Connection({})
    with pytest.raises(RuntimeError):
        with conn.connected("shop", autocommit=False) as db:
            raise RuntimeError("query failed")
    assert opened == [("shop", False)] and db.closed
