#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: pg_restore
short_description: Restore a PostgreSQL backup of runbook.ops.pg_backup after proving its checksum
version_added: "0.1.0"
description:
  - Restores a backup written by M(runbook.ops.pg_backup), from a local directory or S3, with the real
    C(pg_restore) (custom and directory formats) or C(psql) (plain format).
  - Before the target is touched the whole backup is read and its SHA-256 and size are compared with its
    manifest; a mismatch, or a backup without a manifest, is refused. A custom-format archive is read whole
    through C(pg_restore --file=/dev/null) in the same pass (for O(jobs) > 1 from the downloaded file), so a
    truncated or damaged archive is refused before anything is restored.
  - Then the dump's identity is compared with what its manifest records, also before the target is touched;
    its table of contents (C(pg_restore --list) entries, or a plain script's entry comments) and the database
    named in a custom or directory archive's header. A dump edited or replaced after the backup, with its
    manifest's checksum rewritten to match, is refused naming what differs. With O(manifest_hmac_key) the
    manifest's HMAC is checked first, so a manifest rewritten in full is refused too.
  - After the restore the row count of every table the manifest records (counted in the dump's snapshot) is
    compared with the restored database, and every table of the backup must be there; a difference fails the
    task. With O(method=swap) and O(target=new) that happens before the restored database takes the target's
    name, so the target is unchanged; with O(method=transaction) the restore is already committed and the
    message says so.
  - Manifests written before content identity was recorded (manifest version 1) are restored with the
    checks they allow; RV(identity) and RV(row_counts_checked) say what was compared. See C(docs/backups.md)
    for what each check proves.
  - A restore into an existing database completes or leaves the target as it was. With O(method=swap) (the
    default) the backup is restored into a scratch database next to the target, C(<database>_restoring),
    created like the target (owner, encoding, locale, tablespace, connection limit, privileges, and after the
    restore its settings and comment); the row counts are checked, and only then the target is renamed to
    C(<database>_before_<UTC time>) and the scratch database takes its name. The replaced database is dropped,
    or kept under that name with O(keep_previous=true). A failure at any point before the swap drops the
    scratch database and leaves the target as it was; the target's own sessions keep working during the
    restore (what they write then is not in the restored database).
  - O(method=swap) needs CREATEDB and room for a second copy of the database next to the target until the swap;
    the rename needs every other session on the target ended (O(terminate_sessions=true)), and for an instant
    between the two renames the database name does not exist. Objects of the target that the backup does not
    hold do not survive the swap.
  - O(method=transaction) restores in place with C(--clean --if-exists) as one transaction (pg_restore's
    C(--single-transaction); psql always runs a plain script with C(--single-transaction) and
    C(ON_ERROR_STOP)), so a failure or a killed restore rolls everything back. It needs no CREATEDB and keeps the
    database itself (its OID, properties and objects the backup does not hold), but it takes no O(jobs), holds
    exclusive locks on every restored table until it commits, needs C(max_locks_per_transaction) room for every
    object of the backup, and needs about as much space as O(method=swap), because the files of the dropped tables are
    only removed when the transaction commits.
  - Every failure message says what became of the target (C(target <database> unchanged) when nothing of it
    changed), and RV(target_changed) says it for machines.
  - With O(target=new) the database is created, restored into and checked, and dropped again on any failure.
  - A database holding any table, view, sequence or function is only overwritten with O(force=true).
  - Stops on the first error (C(--exit-on-error), C(ON_ERROR_STOP)) and reports the program's message.
  - Custom-format backups stream from the storage into pg_restore; with O(jobs) > 1 they are downloaded to a
    temporary file first, because a parallel restore needs a seekable file. Directory-format backups are
    unpacked into a temporary directory.
  - A restore always reports C(changed); check mode verifies the source and the target (including what the
    swap needs) and restores nothing.
author:
  - runbook.ops maintainers (@runbook-ops)
seealso:
  - module: runbook.ops.pg_backup
  - module: runbook.ops.pg_backup_info
  - module: community.postgresql.postgresql_db
    description: Its C(state=restore) runs pg_restore or psql in place, without checksum or manifest checks.
extends_documentation_fragment:
  - runbook.ops.postgres
  - runbook.ops.aws
  - runbook.ops.s3
  - runbook.ops.manifest_hmac_key
  - runbook.ops.manifest_hmac_key.verify
attributes:
  check_mode:
    support: full
    description: Resolves the source, verifies its checksum and checks the target; nothing is written.
  diff_mode:
    support: full
    description: The target's tables with their row counts before, and the restored row counts after (in check
      mode the counts recorded in the manifest). Counts are exact when the backup recorded exact counts
      (C(row_counts) of RV(runbook.ops.pg_backup#module:manifest)), the planner's estimates otherwise.
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
  method:
    description:
      - How a restore into an existing database (O(target=existing)) is made safe, see above. V(swap) restores
        into a scratch database and swaps names after it succeeded; V(transaction) restores in place in one
        transaction. Both need space for the old and the new data at once. O(target=new) ignores it.
    type: str
    choices: [swap, transaction]
    default: swap
  keep_previous:
    description:
      - With O(method=swap), keep the replaced database as RV(previous_database) (C(<database>_before_<UTC
        time>)) instead of dropping it after the swap. Dropping it, or reading from it, is then up to you.
    type: bool
    default: false
  allow_other_database:
    description:
      - Restore a custom or directory archive whose header names another database than its manifest does
        (a backup deliberately filed under another database's name). Its table of contents must still match
        the manifest.
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

- name: Restore in place in one transaction, keeping the database itself (its OID and properties)
  runbook.ops.pg_restore:
    source: "{{ backup.key }}"
    database: judgify
    target: existing
    force: true
    method: transaction

- name: Restore by swap and keep the replaced database until the release is confirmed
  runbook.ops.pg_restore:
    source: "{{ backup.key }}"
    database: judgify
    target: existing
    force: true
    terminate_sessions: true
    keep_previous: true
  register: restored
'''

RETURN = r'''
source_key:
  description: Location of the restored backup.
  returned: success
  type: str
  sample: 's3://judgify-backups/postgres/2026/12/02/judgify_20261202T012257424Z.dump'
manifest:
  description: The manifest of the restored backup.
  returned: success
  type: dict
  sample:
    manifest_version: 2
    key: 2026/12/02/judgify_20261202T012257424Z.dump
    database: judgify
    format: custom
    compression: default
    checksum: 'sha256:0a1ccada620b622799a838d7cf5d6af7278187e3ae25330c65c1983bc9afca2f'
    size: 6600
    started: '2026-12-02T01:22:57.555112+00:00'
    finished: '2026-12-02T01:22:58.017535+00:00'
    duration_s: 0.399
    pg_dump_version: 15.18 (Debian 15.18-0+deb12u1)
    server_version: 15.18 (Debian 15.18-0+deb12u1)
    identity: {dump_dbname: judgify, system_identifier: '7714508633599211141', toc_entries: 10,
               toc_digest: 'sha256:12f57117a2d4dc29c3e22d141b0109ec3c34cbc8cf3559f107523d227de7c74b'}
    row_counts: {public.cases: 340, public.judgments: 1200}
    row_estimates: {public.cases: 340, public.judgments: 1200}
    verification: {method: archive, passed: true}
    hmac: 'hmac-sha256:42ea280c74c3d2ab578a3208c1a6c8b501c3d9a7eea0db6aaf562d3003d05265'
rows:
  description: Exact row count of every table of the restored database, by C(schema.table).
  returned: when restored (not in check mode)
  type: dict
  sample: {"public.judgments": 120034}
safety_backup_key:
  description: Location of the safety backup, or null.
  returned: when restored (not in check mode)
  type: str
  sample: 's3://judgify-backups/postgres/2026/12/02/judgify_20261202T012714319Z.dump'
terminated_sessions:
  description: How many other sessions were terminated (with O(method=swap) right before the rename).
  returned: when restored (not in check mode)
  type: int
  sample: 0
method:
  description: How the restore was made, V(swap), V(transaction), or V(new) (O(target=new)).
  returned: success
  type: str
  sample: swap
scratch_database:
  description: The scratch database a swap restores into (it takes the target's name after the swap), or null.
  returned: success
  type: str
  sample: judgify_restoring
previous_database:
  description: With O(keep_previous=true), the name the replaced database was kept under (in check mode the name
    it would get); null otherwise.
  returned: success
  type: str
  sample: judgify_before_20261201_224501
target_changed:
  description: On failure, whether the target was changed (false means it is exactly as it was).
  returned: failure
  type: bool
  sample: false
other_sessions:
  description: Other sessions on the target found before restoring.
  returned: success
  type: int
  sample: 0
authenticated:
  description: Whether the manifest's HMAC was checked against O(manifest_hmac_key) and matched; false without a key
    or for an unsigned manifest accepted with O(allow_unsigned_manifest).
  returned: success
  type: bool
  sample: true
identity:
  description: What of the dump's identity was compared with its manifest, C(database) (the name in a custom or
    directory archive's header) and C(toc) (the table of contents; false for manifests of version 1).
  returned: success
  type: dict
  sample: {"database": true, "toc": true}
row_counts_checked:
  description: Whether the restored row counts were compared with the manifest's (false for manifests without
    C(row_counts)).
  returned: when restored (not in check mode)
  type: bool
  sample: true
elapsed_ms:
  description: Milliseconds per phase (source, target, safety_backup, restore, count, swap) and C(total).
  returned: always
  type: dict
  sample: {source: 120.8, target: 166.2, restore: 513.7, count: 36.5, swap: 5.7, total: 876.7}
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.pg import connection, manifest as manifests, storage
from ansible_collections.runbook.ops.plugins.module_utils.pg.restore import Restore, unchanged


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
        allow_other_database=dict(type="bool", default=False),
        method=dict(type="str", choices=["swap", "transaction"], default="swap"),
        keep_previous=dict(type="bool", default=False),
    )
    spec.update(manifests.argument_spec(verifying=True))
    return spec


def run(module, timer):
    restore = Restore(module.params, timer, module.check_mode)
    result = dict(restore.plan(), changed=True)
    # Exact counts on both sides when the backup recorded them, the planner's estimates otherwise: a
    # diff of an estimate against a count (or of statistics not yet analyzed) would show changes that are not.
    exact = bool(result["manifest"].get("row_counts"))
    before = restore.target_tables(exact) if module._diff else None
    if not module.check_mode:
        result.update(restore.apply())
    if module._diff:
        recorded = result["manifest"].get("row_counts") if exact else result["manifest"].get("row_estimates", {})
        after = result.get("rows", recorded)
        result["diff"] = {"before": {"database": module.params["database"], "tables": before},
                          "after": {"database": module.params["database"], "tables": after}}
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if not connection.HAS_PSYCOPG2:
        module.fail_json(msg=missing_required_lib("psycopg2"))
    run_module(module, lambda timer: run(module, timer), lambda error: unchanged(error, module.params["database"]))


if __name__ == "__main__":
    main()
