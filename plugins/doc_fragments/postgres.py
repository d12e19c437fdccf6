# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # PostgreSQL connection of modules that run the client programs and psycopg2.
    DOCUMENTATION = r'''
options:
  host:
    description:
      - Server host name, IP address or socket directory. Defaults to libpq's C(PGHOST), then the local socket.
      - Options left unset fall back to libpq's C(PG*) environment variables (C(PGHOST), C(PGPORT), C(PGUSER),
        C(PGPASSWORD), C(PGSSLMODE), ...) and C(~/.pgpass).
      - The aliases are the names of the community.postgresql modules (C(login_host), C(login_user),
        C(login_password), C(login_port), C(ssl_mode), C(ca_cert), ...), so their settings carry over.
    type: str
    aliases: [login_host]
  port:
    description:
      - Server port. Defaults to C(PGPORT), then 5432.
    type: int
    aliases: [login_port]
  user:
    description:
      - Role to connect as. Defaults to C(PGUSER), then the operating system user.
    type: str
    aliases: [login_user]
  password:
    description:
      - Password of O(user). Never logged; handed to the client programs through their C(PGPASSWORD)
        environment variable, never on their command line.
    type: str
    aliases: [login_password]
  sslmode:
    description:
      - libpq TLS mode.
    type: str
    aliases: [ssl_mode]
    choices: [disable, allow, prefer, require, verify-ca, verify-full]
  sslrootcert:
    description:
      - CA certificate(s) that signed the server certificate, for O(sslmode=verify-ca) or V(verify-full).
    type: path
    aliases: [ca_cert, ssl_rootcert]
  sslcert:
    description:
      - Client certificate for certificate authentication.
    type: path
    aliases: [ssl_cert]
  sslkey:
    description:
      - Private key of O(sslcert).
    type: path
    aliases: [ssl_key]
  maintenance_db:
    description:
      - Database to connect to for creating, dropping and inspecting other databases.
    type: str
    aliases: [login_db]
    default: postgres
  bin_dir:
    description:
      - Directory holding C(pg_dump), C(pg_restore) and C(psql), for example C(/usr/lib/postgresql/16/bin).
        Defaults to PATH. The client programs must not be older than the server.
    type: path
requirements:
  - psycopg2
  - PostgreSQL client programs (pg_dump, pg_restore, psql) not older than the server
'''
