# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A restore into a scratch database next to the target, then a swap of names once it is complete.

The scratch database is created like the target (owner, encoding, locale, tablespace, connection limit,
privileges) and gets the target's settings and comment before the swap, because ``ALTER DATABASE ... RENAME``
moves the whole database: what pg_dump does not carry (database-level properties) would otherwise be lost.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import time

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import connection

try:
    from psycopg2 import sql
except ImportError:  # connection.HAS_PSYCOPG2 reports it
    sql = None

NAME_BYTES = 63  # PostgreSQL's NAMEDATALEN - 1
SCRATCH_SUFFIX = "restoring"
SCRATCH_MARK = "runbook.ops restore scratch of %s"
# Settings whose value is a list of quoted elements (PostgreSQL's GUC_LIST_QUOTE, as pg_dump splits them).
LIST_SETTINGS = frozenset(("local_preload_libraries", "search_path", "session_preload_libraries",
                           "shared_preload_libraries", "temp_tablespaces", "unix_socket_directories"))
PRIVILEGES = {"CREATE": "CREATE", "TEMPORARY": "TEMPORARY", "CONNECT": "CONNECT"}
RENAME_ATTEMPTS = 3

PROPERTIES = """
    SELECT to_jsonb(d) - 'datacl', d.datacl IS NOT NULL, pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding),
           t.spcname, shobj_description(d.oid, 'pg_database')
      FROM pg_database d JOIN pg_tablespace t ON t.oid = d.dattablespace
     WHERE d.datname = %s"""
GRANTS = """
    SELECT a.privilege_type, a.is_grantable, CASE WHEN a.grantee = 0 THEN NULL ELSE pg_get_userbyid(a.grantee) END
      FROM pg_database d, aclexplode(d.datacl) a
     WHERE d.datname = %s ORDER BY 3 NULLS FIRST, 1"""
SETTINGS = """
    SELECT CASE WHEN s.setrole = 0 THEN NULL ELSE pg_get_userbyid(s.setrole) END, s.setconfig
      FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
     WHERE d.datname = %s ORDER BY 1 NULLS FIRST"""


def derived_name(database, suffix):
    """``<database>_<suffix>``, shortened with a hash of ``database`` when it would exceed 63 bytes."""
    name = "%s_%s" % (database, suffix)
    if len(name.encode("utf-8")) <= NAME_BYTES:
        return name
    digest = hashlib.sha256(database.encode("utf-8")).hexdigest()[:8]
    room = NAME_BYTES - len(suffix) - len(digest) - 2
    head = database.encode("utf-8")[:room].decode("utf-8", "ignore")
    return "%s_%s_%s" % (head, digest, suffix)


def scratch_name(database):
    return derived_name(database, SCRATCH_SUFFIX)


def previous_name(admin, database, now):
    """A free name for the replaced database: ``<database>_before_<UTC time>``."""
    stamp = now.strftime("before_%Y%m%d_%H%M%S")
    name, n = derived_name(database, stamp), 1
    while connection.database_exists(admin, name):
        n += 1
        name = derived_name(database, "%s_%d" % (stamp, n))
    return name


def split_list(value):
    """Elements of a flattened list setting (``"$user", public``), as PostgreSQL's SplitGUCList reads them."""
    items, i, n = [], 0, len(value)
    while i < n:
        while i < n and value[i].isspace():
            i += 1
        if i >= n:
            break
        if value[i] == '"':
            i += 1
            item = []
            while i < n and not (value[i] == '"' and value[i + 1:i + 2] != '"'):
                item.append(value[i])
                i += 2 if value[i] == '"' else 1
            i += 1
            items.append("".join(item))
        else:
            start = i
            while i < n and value[i] != "," and not value[i].isspace():
                i += 1
            items.append(value[start:i])
        while i < n and value[i] != ",":
            i += 1
        i += 1
    return items


def read_properties(admin, database):
    """What CREATE DATABASE, GRANT, ALTER DATABASE SET and COMMENT need to make a database like ``database``."""
    rows = connection.query(admin, PROPERTIES, (database,))
    if not rows:
        raise RunbookError("Database %s does not exist" % database, database=database)
    row, has_acl, owner, encoding, tablespace, comment = rows[0]
    return {
        "row": row, "owner": owner, "encoding": encoding, "tablespace": tablespace, "comment": comment,
        "grants": connection.query(admin, GRANTS, (database,)) if has_acl else None,
        "settings": connection.query(admin, SETTINGS, (database,)),
    }


def create_statement(name, props, server_major):
    row = props["row"]
    options = [("OWNER", sql.Identifier(props["owner"])), ("ENCODING", sql.Literal(props["encoding"])),
               ("LC_COLLATE", sql.Literal(row["datcollate"])), ("LC_CTYPE", sql.Literal(row["datctype"]))]
    provider = row.get("datlocprovider")
    locale = row.get("datlocale") or row.get("daticulocale")
    if provider == "i":
        options.extend([("LOCALE_PROVIDER", sql.SQL("icu")), ("ICU_LOCALE", sql.Literal(locale))])
        if row.get("daticurules"):
            options.append(("ICU_RULES", sql.Literal(row["daticurules"])))
    elif provider == "b":
        options.extend([("LOCALE_PROVIDER", sql.SQL("builtin")), ("BUILTIN_LOCALE", sql.Literal(locale))])
    elif provider == "c" and server_major >= 15:
        options.append(("LOCALE_PROVIDER", sql.SQL("libc")))
    options.extend([("TABLESPACE", sql.Identifier(props["tablespace"])),
                    ("CONNECTION LIMIT", sql.Literal(int(row["datconnlimit"])))])
    clauses = sql.SQL(" ").join(sql.SQL("%s = {}" % keyword).format(value) for keyword, value in options)
    return sql.SQL("CREATE DATABASE {} WITH TEMPLATE = template0 {}").format(sql.Identifier(name), clauses)


def grant_statements(name, props):
    """The target's privileges exactly, when it has any other than the defaults."""
    if props["grants"] is None:
        return []
    db = sql.Identifier(name)
    statements = [sql.SQL("REVOKE ALL ON DATABASE {} FROM PUBLIC").format(db),
                  sql.SQL("REVOKE ALL ON DATABASE {} FROM {}").format(db, sql.Identifier(props["owner"]))]
    for privilege, grantable, grantee in props["grants"]:
        statements.append(sql.SQL("GRANT {} ON DATABASE {} TO {}{}").format(
            sql.SQL(PRIVILEGES[privilege]), db, sql.Identifier(grantee) if grantee else sql.SQL("PUBLIC"),
            sql.SQL(" WITH GRANT OPTION") if grantable else sql.SQL("")))
    return statements


def setting_statements(name, props):
    statements = []
    for role, config in props["settings"]:
        scope = (sql.SQL("ALTER ROLE {} IN DATABASE {}").format(sql.Identifier(role), sql.Identifier(name)) if role
                 else sql.SQL("ALTER DATABASE {}").format(sql.Identifier(name)))
        for entry in config or []:
            setting, _sep, value = entry.partition("=")
            values = (split_list(value) or [""]) if setting.lower() in LIST_SETTINGS else [value]
            statements.append(sql.SQL("{} SET {} = {}").format(
                scope, sql.SQL(".").join(sql.Identifier(part) for part in setting.split(".")),
                sql.SQL(", ").join(sql.Literal(item) for item in values)))
    return statements


def comment_statement(name, comment):
    return sql.SQL("COMMENT ON DATABASE {} IS {}").format(
        sql.Identifier(name), sql.Literal(comment) if comment is not None else sql.SQL("NULL"))


def client_sessions(admin, database):
    """Other client sessions on ``database`` (autovacuum workers, which a rename stops itself, are not counted)."""
    return int(connection.query(admin, "SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                                       "AND pid <> pg_backend_pid() AND backend_type = 'client backend'",
                                (database,))[0][0])


def is_scratch(admin, name, database):
    rows = connection.query(admin, "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
                            (name,))
    return bool(rows) and rows[0][0] == SCRATCH_MARK % database


def prepare(admin, scratch, database, props, server_major):
    """Drops a scratch database an interrupted run left, then creates a new one like ``database``, marked as
    scratch so that a later run recognises it (and never drops a database of someone else's by that name)."""
    if connection.database_exists(admin, scratch):
        if not is_scratch(admin, scratch, database):
            raise RunbookError("Database %s exists and is not a restore scratch database of %s; rename or drop it"
                               % (scratch, database), database=scratch)
        connection.drop_database(admin, scratch)
    connection.query(admin, create_statement(scratch, props, server_major))
    try:
        connection.query(admin, comment_statement(scratch, SCRATCH_MARK % database))
        for statement in grant_statements(scratch, props):
            connection.query(admin, statement)
    except BaseException:
        connection.drop_database(admin, scratch)
        raise


def finish(admin, scratch, props):
    """The target's settings and comment, given to the scratch database once the restore is in it."""
    for statement in setting_statements(scratch, props):
        connection.query(admin, statement)
    connection.query(admin, comment_statement(scratch, props["comment"]))


def rename(admin, old, new):
    connection.query(admin, sql.SQL("ALTER DATABASE {} RENAME TO {}").format(sql.Identifier(old), sql.Identifier(new)))


def swap(admin, database, scratch, previous, terminate):
    """Renames ``database`` to ``previous`` and ``scratch`` to ``database``; returns the sessions terminated.
    Puts the target's name back when the second rename fails."""
    terminated = 0
    for attempt in range(RENAME_ATTEMPTS):
        if terminate:
            terminated += connection.terminate_sessions(admin, database)
        try:
            rename(admin, database, previous)
            break
        except RunbookError as exc:
            if attempt == RENAME_ATTEMPTS - 1:
                raise RunbookError("Cannot rename %s to swap the restored database in (sessions on it block the "
                                   "rename; terminate_sessions=true ends them): %s" % (database, exc.msg),
                                   database=database)
            time.sleep(0.5)
    try:
        rename(admin, scratch, database)
    except RunbookError as exc:
        try:
            rename(admin, previous, database)
        except RunbookError as back:
            raise RunbookError("Cannot rename %s to %s (%s), nor the target back (%s): the target database %s is now "
                               "named %s; rename it back with ALTER DATABASE \"%s\" RENAME TO \"%s\""
                               % (scratch, database, exc.msg, back.msg, database, previous, previous, database),
                               database=database, previous_database=previous, target_changed=True)
        raise RunbookError("Cannot rename %s to %s, so the target kept its name: %s" % (scratch, database, exc.msg),
                           database=database)
    return terminated
