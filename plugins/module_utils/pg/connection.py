# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""PostgreSQL connection: libpq options and environment, psycopg2 queries the modules need."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import os

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

try:
    import psycopg2
    from psycopg2 import sql
    from psycopg2.extensions import ISOLATION_LEVEL_AUTOCOMMIT
    HAS_PSYCOPG2 = True
except ImportError:
    HAS_PSYCOPG2 = False

# Module option -> libpq keyword and environment variable. Options left unset fall back to PG* variables.
LIBPQ = (
    ("host", "host", "PGHOST"),
    ("port", "port", "PGPORT"),
    ("user", "user", "PGUSER"),
    ("password", "password", "PGPASSWORD"),
    ("sslmode", "sslmode", "PGSSLMODE"),
    ("sslrootcert", "sslrootcert", "PGSSLROOTCERT"),
    ("sslcert", "sslcert", "PGSSLCERT"),
    ("sslkey", "sslkey", "PGSSLKEY"),
)
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")
USER_TABLES = """
    SELECT n.nspname, c.relname, c.reltuples::bigint
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
     ORDER BY 1, 2"""


class Connection:
    """Connection settings of one server; ``connect(database)`` opens psycopg2 connections, ``with
    connected(database) as conn`` also closes them."""

    def __init__(self, params, connect_timeout=10):
        self.params = dict((option, params.get(option)) for option, _kw, _env in LIBPQ if params.get(option) is not None)
        self.connect_timeout = connect_timeout

    def describe(self):
        return "%s:%s" % (self.params.get("host") or os.environ.get("PGHOST", "local socket"),
                          self.params.get("port") or os.environ.get("PGPORT", 5432))

    def child_env(self, database):
        """Environment for pg_dump/pg_restore/psql: the password travels here, never in argv."""
        env = dict(os.environ)
        for option, _keyword, variable in LIBPQ:
            if option in self.params:
                env[variable] = str(self.params[option])
        env["PGDATABASE"] = database
        env["PGCONNECT_TIMEOUT"] = str(self.connect_timeout)
        return env

    def connect(self, database, autocommit=True):
        kwargs = dict((keyword, self.params[option]) for option, keyword, _env in LIBPQ if option in self.params)
        try:
            conn = psycopg2.connect(dbname=database, connect_timeout=self.connect_timeout,
                                    application_name="runbook.ops", **kwargs)
        except psycopg2.Error as exc:
            raise RunbookError("Cannot connect to database %s on %s: %s"
                               % (database, self.describe(), _first_line(exc)), database=database)
        if autocommit:
            conn.set_isolation_level(ISOLATION_LEVEL_AUTOCOMMIT)
        return conn

    def connected(self, database, autocommit=True):
        """A context manager closing the connection on exit (psycopg2's own ``with`` only ends a transaction)."""
        return contextlib.closing(self.connect(database, autocommit))


def _first_line(exc):
    text = str(exc).strip() or exc.__class__.__name__
    return " ".join(line.strip() for line in text.splitlines() if line.strip())


def query(conn, statement, args=None):
    try:
        with conn.cursor() as cur:
            cur.execute(statement, args)
            return cur.fetchall() if cur.description else []
    except psycopg2.Error as exc:
        raise RunbookError("Query failed: %s" % _first_line(exc))


def server_version(conn):
    """(major, full version string) of the server."""
    num = int(query(conn, "SHOW server_version_num")[0][0])
    text = query(conn, "SHOW server_version")[0][0]
    return num // 10000, text


def row_estimates(conn):
    """Per-table row estimates from the planner statistics (cheap, for the manifest)."""
    return dict(("%s.%s" % (schema, table), max(int(rows), 0)) for schema, table, rows in query(conn, USER_TABLES))


def row_counts(conn):
    """Exact per-table row counts in the connection's snapshot."""
    counts = {}
    for schema, table, _estimate in query(conn, USER_TABLES):
        stmt = sql.SQL("SELECT count(*) FROM ONLY {}.{}").format(sql.Identifier(schema), sql.Identifier(table))
        counts["%s.%s" % (schema, table)] = int(query(conn, stmt)[0][0])
    return counts


def user_relation_count(conn):
    """Tables, views, sequences and functions outside system schemas: non-zero means not empty."""
    return int(query(conn, """
        SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
                   AND n.nspname NOT LIKE 'pg_toast%%' AND n.nspname NOT LIKE 'pg_temp%%'
                   AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f'))
             + (SELECT count(*) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
                 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema'))""")[0][0])


def unreadable_tables(conn):
    rows = query(conn, """
        SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind IN ('r', 'p', 'S') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname NOT LIKE 'pg_toast%%'
           AND NOT has_table_privilege(c.oid, 'SELECT') ORDER BY 1""")
    return [row[0] for row in rows]


def database_exists(conn, name):
    return bool(query(conn, "SELECT 1 FROM pg_database WHERE datname = %s", (name,)))


def database_size(conn, name):
    return int(query(conn, "SELECT pg_database_size(%s)", (name,))[0][0])


def can_create_database(conn):
    return bool(query(conn, "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user")[0][0])


def other_sessions(conn, name):
    return int(query(conn, "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
                     (name,))[0][0])


def terminate_sessions(conn, name):
    """Terminates every other session on ``name``; returns how many were asked to end."""
    rows = query(conn, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                       "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    return len(rows)


def create_database(conn, name):
    query(conn, sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(conn, name):
    query(conn, sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def export_snapshot(conn):
    """Starts a repeatable-read transaction and exports its snapshot for ``pg_dump --snapshot``."""
    conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
    return query(conn, "SELECT pg_export_snapshot()")[0][0]


def argument_spec():
    """Options of the runbook.ops.postgres documentation fragment."""
    return dict(
        # The aliases are community.postgresql's names, so its module_defaults and vars carry over.
        host=dict(type="str", aliases=["login_host"]),
        port=dict(type="int", aliases=["login_port"]),
        user=dict(type="str", aliases=["login_user"]),
        password=dict(type="str", no_log=True, aliases=["login_password"]),
        sslmode=dict(type="str", choices=["disable", "allow", "prefer", "require", "verify-ca", "verify-full"],
                     aliases=["ssl_mode"]),
        sslrootcert=dict(type="path", aliases=["ca_cert", "ssl_rootcert"]),
        sslcert=dict(type="path", aliases=["ssl_cert"]),
        sslkey=dict(type="path", no_log=False, aliases=["ssl_key"]),
        maintenance_db=dict(type="str", default="postgres", aliases=["login_db"]),
        bin_dir=dict(type="path"),
    )
