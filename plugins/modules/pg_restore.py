#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: pg_restore
short_description: Restore a PostgreSQL backup of runbook.ops.pg_backup after proving its checksum
version_added: "1.0.0"
description:
  - Restores a backup written by M(runbook.ops.pg_backup), from a local directory or S3, with the real
    C(pg_restore) (custom and directory formats) or C(psql) (plain format).
  - Before the target is touched the whole backup is read and its SHA-256 and size are compared with its
    manifest; a mismatch, or a backup without a manifest, is refused.
  - With O(target=existing) the backup is restored into the existing database with C(--clean --if-exists);
    with O(target=new) the database is created (and dropped again if the restore fails).
  - A database holding any table, view, sequence or function is only overwritten with O(force=true).
  - Stops on the first error (C(--exit-on-error), C(ON_ERROR_STOP)) and reports the program's message.
  - Custom-format backups stream from the storage into pg_restore; with O(jobs) > 1 they are downloaded to a
    temporary file first, because a parallel restore needs a seekable file. Directory-format backups are
    unpacked into a temporary directory.
  - A restore always reports C(changed); check mode verifies the source and the target and restores nothing.
author:
  - runbook.ops maintainers (@runbook-ops)
extends_documentation_fragment:
  - runbook.ops.postgres
  - runbook.ops.s3
attributes:
  check_mode:
    support: full
    description: Resolves the source, verifies its checksum and checks the target; nothing is written.
  diff_mode:
    support: full
    description: The target's tables with their planner row estimates before, and the restored row counts after
      (in check mode the row estimates recorded in the manifest).
options:
  source:
    description:
      - The backup to restore, V(latest) (the newest complete backup of O(source_database) under
        O(destination)), a key relative to O(destination), an absolute path, or an C(s3://) URI such as
        RV(runbook.ops.pg_backup#module:key).
    type: str
    required: true
  destination:
    description:
      - The directory or C(s3://bucket/prefix/) the backups live under; V(latest) and relative keys resolve
        against it, and O(safety_backup) writes to it.
    type: str
  database:
    description:
      - The database to restore into.
    type: str
    required: true
  source_database:
    description:
      - Whose backups V(latest) picks from. Defaults to O(database).
    type: str
  target:
    description:
      - V(existing) restores into O(database), which must exist, with C(--clean --if-exists).
      - V(new) creates O(database) and fails if it exists (restore drills, disaster recovery).
    type: str
    choices: [existing, new]
    default: existing
  force:
    description:
      - Overwrite a database that is not empty.
    type: bool
    default: false
  terminate_sessions:
    description:
      - Terminate the other sessions on O(database) before restoring (their locks would block C(--clean)).
    type: bool
    default: false
  safety_backup:
    description:
      - Back the existing target up into O(destination) (custom format, verified by reading it back) before
        overwriting it; the key is returned as RV(safety_backup_key).
    type: bool
    default: false
  jobs:
    description:
      - Parallel pg_restore jobs (custom and directory formats).
    type: int
    default: 1
  no_owner:
    description:
      - Pass C(--no-owner) (objects are owned by O(user)).
    type: bool
    default: false
  no_privileges:
    description:
      - Pass C(--no-privileges) (no GRANT/REVOKE).
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Restore drill - the latest backup into a new database
  runbook.ops.pg_restore:
    source: latest
    destination: s3://judgify-backups/postgres/
    source_database: judgify
    database: judgify_drill
    target: new

- name: Restore a given backup over production, after a safety backup
  runbook.ops.pg_restore:
    source: "{{ backup.key }}"
    destination: s3://judgify-backups/postgres/
    database: judgify
    target: existing
    force: true
    terminate_sessions: true
    safety_backup: true
    jobs: 4
'''

RETURN = r'''
source_key:
  description: Location of the restored backup.
  returned: success
  type: str
manifest:
  description: The manifest of the restored backup.
  returned: success
  type: dict
rows:
  description: Exact row count of every table of the restored database, by C(schema.table).
  returned: when restored (not in check mode)
  type: dict
  sample: {"public.judgments": 120034}
safety_backup_key:
  description: Location of the safety backup, or null.
  returned: when restored (not in check mode)
  type: str
terminated_sessions:
  description: How many other sessions were terminated.
  returned: when restored (not in check mode)
  type: int
other_sessions:
  description: Other sessions on the target found before restoring.
  returned: success
  type: int
elapsed_ms:
  description: Milliseconds per phase (source, target, safety_backup, restore, count) and C(total).
  returned: always
  type: dict
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError, fail_with
from ansible_collections.runbook.ops.plugins.module_utils.timing import PhaseTimer
from ansible_collections.runbook.ops.plugins.module_utils.pg import connection, storage
from ansible_collections.runbook.ops.plugins.module_utils.pg.restore import Restore


def argument_spec():
    spec = connection.argument_spec()
    spec.update(storage.argument_spec())
    spec.update(
        source=dict(type="str", required=True),
        destination=dict(type="str"),
        database=dict(type="str", required=True),
        source_database=dict(type="str"),
        target=dict(type="str", choices=["existing", "new"], default="existing"),
        force=dict(type="bool", default=False),
        terminate_sessions=dict(type="bool", default=False),
        safety_backup=dict(type="bool", default=False),
        jobs=dict(type="int", default=1),
        no_owner=dict(type="bool", default=False),
        no_privileges=dict(type="bool", default=False),
    )
    return spec


def run(module, timer):
    restore = Restore(module.params, timer, module.check_mode)
    result = dict(restore.plan(), changed=True)
    before = restore.target_tables() if module._diff else None
    if not module.check_mode:
        result.update(restore.apply())
    if module._diff:
        after = result.get("rows", result["manifest"].get("row_estimates", {}))
        result["diff"] = {"before": {"database": module.params["database"], "tables": before},
                          "after": {"database": module.params["database"], "tables": after}}
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if not connection.HAS_PSYCOPG2:
        module.fail_json(msg=missing_required_lib("psycopg2"))
    timer = PhaseTimer()
    try:
        result = run(module, timer)
    except RunbookError as error:
        fail_with(module, error, elapsed_ms=timer.as_dict())
    module.exit_json(elapsed_ms=timer.as_dict(), **result)


if __name__ == "__main__":
    main()
