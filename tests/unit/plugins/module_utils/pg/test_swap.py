# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from psycopg2 import sql

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import swap


def text(statement):
    """A composed statement as text, without a connection (identifiers double-quoted, literals single-quoted)."""
    if isinstance(statement, sql.Composed):
        return "".join(text(part) for part in statement.seq)
    if isinstance(statement, sql.SQL):
        return statement.string
    if isinstance(statement, sql.Identifier):
        return ".".join('"%s"' % part for part in statement.strings)
    if isinstance(statement, sql.Literal):
        return "'%s'" % statement.wrapped
    return str(statement)


class Server:
    """Records the statements the swap sends; ``refuse`` maps a statement's text to how often it fails."""

    def __init__(self, refuse=None):
        self.statements = []
        self.refuse = dict(refuse or {})

    def query(self, _conn, statement, args=None):
        rendered = text(statement)
        self.statements.append(rendered)
        if self.refuse.get(rendered):
            self.refuse[rendered] -= 1
            raise RunbookError("Query failed: database is being accessed by other users")
        return []


@pytest.fixture
def server(monkeypatch):
    def make(refuse=None):
        fake = Server(refuse)
        monkeypatch.setattr(swap.connection, "query", fake.query)
        monkeypatch.setattr(swap.connection, "terminate_sessions", lambda _admin, _name: 1)
        monkeypatch.setattr(swap.time, "sleep", lambda _seconds: None)
        return fake
    return make


@pytest.mark.parametrize("database, suffix, expected", [
    ("judgify", "restoring", "judgify_restoring"),
    ("j" * 53, "restoring", "j" * 53 + "_restoring"),
])
def test_derived_name_short(database, suffix, expected):
    assert swap.derived_name(database, suffix) == expected


@pytest.mark.parametrize("database", ["x" * 63, "é" * 40, "a" * 54])
def test_derived_name_long_fits_and_differs(database):
    name = swap.derived_name(database, "before_20261201_224501")
    assert len(name.encode("utf-8")) <= swap.NAME_BYTES
    assert name.endswith("_before_20261201_224501")
    assert name == swap.derived_name(database, "before_20261201_224501")
    assert name != swap.derived_name(database[:-1] + "z", "before_20261201_224501")
    name.encode("utf-8").decode("utf-8")


@pytest.mark.parametrize("value, items", [
    ('"$user", public', ["$user", "public"]),
    ('a,b ,  c', ["a", "b", "c"]),
    ('"odd, one", "q""uote"', ["odd, one", 'q"uote']),
    ('""', [""]),
    ("", []),
    ("pg_catalog", ["pg_catalog"]),
])
def test_split_list(value, items):
    assert swap.split_list(value) == items


def test_setting_statements_split_list_settings_only():
    props = {"settings": [(None, ['search_path="$user", public', "work_mem=8MB", "app.tenant=a, b"]),
                          ("reporter", ["statement_timeout=5s"])]}
    assert [text(s) for s in swap.setting_statements("db_restoring", props)] == [
        '''ALTER DATABASE "db_restoring" SET "search_path" = '$user', 'public\'''',
        '''ALTER DATABASE "db_restoring" SET "work_mem" = '8MB\'''',
        '''ALTER DATABASE "db_restoring" SET "app"."tenant" = 'a, b\'''',
        '''ALTER ROLE "reporter" IN DATABASE "db_restoring" SET "statement_timeout" = '5s\'''',
    ]


def test_grants_only_when_the_target_has_its_own():
    assert swap.grant_statements("s", {"grants": None, "owner": "app"}) == []
    grants = [("CONNECT", False, None), ("CONNECT", True, "reporter"), ("TEMPORARY", False, "app")]
    assert [text(s) for s in swap.grant_statements("s", {"grants": grants, "owner": "app"})] == [
        'REVOKE ALL ON DATABASE "s" FROM PUBLIC',
        'REVOKE ALL ON DATABASE "s" FROM "app"',
        'GRANT CONNECT ON DATABASE "s" TO PUBLIC',
        'GRANT CONNECT ON DATABASE "s" TO "reporter" WITH GRANT OPTION',
        'GRANT TEMPORARY ON DATABASE "s" TO "app"',
    ]


@pytest.mark.parametrize("row, server_major, clauses", [
    ({"datcollate": "C.UTF-8", "datctype": "C.UTF-8", "datlocprovider": "c", "datconnlimit": -1}, 15,
     "LOCALE_PROVIDER = libc TABLESPACE"),
    ({"datcollate": "en_US.UTF-8", "datctype": "en_US.UTF-8", "datlocprovider": "i", "daticulocale": "de-DE",
      "datconnlimit": 10}, 15, "LOCALE_PROVIDER = icu ICU_LOCALE = 'de-DE' TABLESPACE"),
    ({"datcollate": "C", "datctype": "C", "datconnlimit": -1}, 14, "LC_CTYPE = 'C' TABLESPACE"),
])
def test_create_statement_is_like_the_target(row, server_major, clauses):
    props = {"row": row, "owner": "app", "encoding": "UTF8", "tablespace": "pg_default"}
    statement = text(swap.create_statement("db_restoring", props, server_major))
    assert statement.startswith('CREATE DATABASE "db_restoring" WITH TEMPLATE = template0 OWNER = "app" '
                                "ENCODING = 'UTF8' LC_COLLATE = '%s'" % row["datcollate"])
    assert clauses in statement
    assert statement.endswith('TABLESPACE = "pg_default" CONNECTION LIMIT = \'%d\'' % row["datconnlimit"])


def test_swap_renames_target_then_scratch(server):
    fake = server()
    assert swap.swap(None, "db", "db_restoring", "db_before", terminate=True) == 1
    assert fake.statements == ['ALTER DATABASE "db" RENAME TO "db_before"',
                               'ALTER DATABASE "db_restoring" RENAME TO "db"']


def test_swap_retries_a_rename_blocked_by_sessions(server):
    fake = server({'ALTER DATABASE "db" RENAME TO "db_before"': 2})
    assert swap.swap(None, "db", "db_restoring", "db_before", terminate=True) == 3
    assert fake.statements[-1] == 'ALTER DATABASE "db_restoring" RENAME TO "db"'


def test_swap_gives_up_with_the_target_untouched(server):
    fake = server({'ALTER DATABASE "db" RENAME TO "db_before"': swap.RENAME_ATTEMPTS})
    with pytest.raises(RunbookError) as info:
        swap.swap(None, "db", "db_restoring", "db_before", terminate=False)
    assert "terminate_sessions=true" in info.value.msg
    assert "target_changed" not in info.value.details
    assert all("db_restoring" not in statement for statement in fake.statements)


def test_swap_puts_the_name_back_when_the_scratch_cannot_take_it(server):
    fake = server({'ALTER DATABASE "db_restoring" RENAME TO "db"': 1})
    with pytest.raises(RunbookError) as info:
        swap.swap(None, "db", "db_restoring", "db_before", terminate=False)
    assert fake.statements[-1] == 'ALTER DATABASE "db_before" RENAME TO "db"'
    assert "kept its name" in info.value.msg and "target_changed" not in info.value.details


def test_swap_says_where_the_target_is_when_it_cannot_put_it_back(server):
    server({'ALTER DATABASE "db_restoring" RENAME TO "db"': 1, 'ALTER DATABASE "db_before" RENAME TO "db"': 1})
    with pytest.raises(RunbookError) as info:
        swap.swap(None, "db", "db_restoring", "db_before", terminate=False)
    assert info.value.details["target_changed"] is True
    assert 'ALTER DATABASE "db_before" RENAME TO "db"' in info.value.msg
