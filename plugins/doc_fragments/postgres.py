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
    type: str
  port:
    description:
      - Server port. Defaults to C(PGPORT), then 5432.
    type: int
  user:
    description:
      - Role to connect as. Defaults to C(PGUSER), then the operating system user.
    type: str
  password:
    description:
      - Password of O(user). Never logged; handed to the client programs through their C(PGPASSWORD)
        environment variable, never on their command line.
    type: str
  sslmode:
    description:
      - libpq TLS mode.
    type: str
    choices: [disable, allow, prefer, require, verify-ca, verify-full]
  sslrootcert:
    description:
      - CA certificate(s) that signed the server certificate, for O(sslmode=verify-ca) or V(verify-full).
    type: path
  sslcert:
    description:
      - Client certificate for certificate authentication.
    type: path
  sslkey:
    description:
      - Private key of O(sslcert).
    type: path
  maintenance_db:
    description:
      - Database to connect to for creating, dropping and inspecting other databases.
    type: str
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
