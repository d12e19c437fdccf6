#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: pg_backup
short_description: PostgreSQL backup streamed to a directory or S3, checksummed, verified, with retention
version_added: "0.1.0"
description:
  - Runs the real C(pg_dump) of the PostgreSQL client programs (O(bin_dir) or PATH) and streams its output to
    O(destination), a local directory or C(s3://bucket/prefix/), hashing it (SHA-256) while it flows.
  - Memory stays bounded whatever the database size. Custom and plain formats are never copied to a
    temporary file; S3 uploads use multipart with parts of 8 MiB, or of the database size divided by 9000
    (rounded up) when that is larger, so large dumps stay within S3's 10,000 parts; one part uploads while the
    next fills (two part buffers in memory), and the multipart upload is aborted on any failure.
  - The directory format is dumped into a temporary directory first (C(pg_dump --jobs) needs one) and then
    streamed to the destination as a tar archive.
  - Keys follow C(prefix/YYYY/MM/DD/<database>_<UTC timestamp>.<ext>) with ext C(dump) (custom), C(sql) or
    C(sql.gz) (plain) and C(tar) (directory).
  - A manifest C(<key>.manifest.json) is written last, after verification. A backup without a manifest is
    incomplete; listing, retention and restore ignore it, and retention removes such leftovers once they are
    older than O(incomplete_grace_hours).
  - pg_dump and the row counts share one exported snapshot, so the counts are exactly what the dump holds.
  - The manifest records what identifies the dump's content, so that a dump edited or replaced after the
    backup is found even when the manifest's checksum is rewritten to match. It holds the database name, the
    server's system identifier, the dump's table of contents (a SHA-256 over the C(pg_restore --list) entry
    lines, or over a plain script's entry comments, with the number of entries), and the exact row count of
    every table (O(count_rows)). M(runbook.ops.pg_backup_info) with
    O(runbook.ops.pg_backup_info#module:verify=archive) and M(runbook.ops.pg_restore) compare the dump with them.
  - To record the table of contents the stored backup is read back once more unless O(verify=archive) reads it
    anyway, up to the end of the table of contents for custom and directory formats, whole for plain scripts.
  - With O(manifest_hmac_key) the manifest carries an HMAC-SHA256, so a manifest rewritten in full is detected by
    modules given the same key. See C(docs/backups.md) for what each verification proves and what it does not.
  - Fails with a clear message when pg_dump is missing or older than the server, when the user cannot read
    a table, and when the destination is missing or not writable, before anything is written.
author:
  - runbook.ops maintainers (@runbook-ops)
seealso:
  - module: runbook.ops.pg_backup_info
    description: Lists the backups this module wrote.
  - module: runbook.ops.pg_restore
    description: Restores them.
  - module: community.postgresql.postgresql_db
    description: Its C(state=dump) runs pg_dump without checksums, manifest or retention.
extends_documentation_fragment:
  - runbook.ops.postgres
  - runbook.ops.aws
  - runbook.ops.s3
  - runbook.ops.manifest_hmac_key
attributes:
  check_mode:
    support: full
    description: Connects, checks versions, permissions and the destination, and reports the key that would be
      written and the keys retention would delete, without writing or deleting anything.
  diff_mode:
    support: full
    description: The complete backups of O(database) under the destination before and after the run.
options:
  database:
    description:
      - The database to back up.
    type: str
    required: true
  destination:
    description:
      - An absolute directory, or C(s3://bucket/prefix/).
    type: str
    required: true
  format:
    description:
      - pg_dump output format. Plain scripts carry C(DROP ... IF EXISTS) statements so they restore into an
        existing database.
    type: str
    choices: [custom, plain, directory]
    default: custom
  compression:
    description:
      - Compression passed to pg_dump, a level V(0)-V(9) (gzip) or V(gzip), V(lz4), V(zstd), V(none) with an
        optional C(:level). lz4 and zstd need pg_dump 16 or later. Defaults to pg_dump's own default.
    type: str
  jobs:
    description:
      - Parallel pg_dump jobs; more than 1 requires O(format=directory).
    type: int
    default: 1
  verify:
    description:
      - V(archive) reads the whole stored backup back through pg_restore into C(/dev/null) and checks its
        checksum (C(pg_restore --list) would only read the table of contents and miss truncation).
      - V(restore) restores it into a scratch database, compares per-table row counts with the source and
        drops the scratch database again; needs the CREATEDB privilege.
      - A backup failing verification is deleted and the task fails.
    type: str
    choices: [none, archive, restore]
    default: archive
  count_rows:
    description:
      - Count the rows of every table in the dump's snapshot before dumping and record them in the manifest,
        for O(verify=restore) and for M(runbook.ops.pg_restore) to compare with what it restored.
      - Counting reads every table once more (a sequential scan each, in the same snapshot); on a very large
        database set V(false) to save that time, at the price of restores whose row counts are not checked.
        O(verify=restore) needs it.
    type: bool
    default: true
  keep_days:
    description:
      - Keep complete backups of O(database) under this prefix started within this many days.
      - Combined with O(keep_last), a backup kept by either rule is kept. The newest verified backup that
        passes O(retention_recheck) is never deleted.
    type: int
  keep_last:
    description:
      - Keep this many newest complete backups of O(database) under this prefix.
    type: int
  incomplete_grace_hours:
    description:
      - Incomplete backups (no manifest) of O(database) older than this are deleted; younger ones may still be
        being written by another run.
      - Open S3 multipart uploads of O(database)'s backups (left by a run that was killed) are aborted once both
        the upload's C(Initiated) time and the time in its key are older than this; until then they take
        storage. They are listed in RV(incomplete_uploads_aborted) (would be, in check mode).
    type: float
    default: 24
  retention_recheck:
    description:
      - Before retention deletes anything, V(checksum) re-reads the backup it keeps as the newest verified one
        and compares its SHA-256 and size with the manifest, so a backup that rotted after it was written is
        not trusted. One that fails is reported in RV(retention) and the next older backup is re-checked, until
        one passes; that one is never deleted. When none passes, nothing is deleted.
      - The re-check streams the whole backup once (for S3, downloads the object, with its transfer time and, on AWS,
        its request and data transfer cost), only on runs where retention would delete something. The backup
        a run has just written and verified is not re-read.
      - V(none) trusts the verification recorded when each backup was written.
    type: str
    choices: [checksum, none]
    default: checksum
  retention_only:
    description:
      - Apply retention without taking a backup; reports C(changed=false) when nothing is deleted.
    type: bool
    default: false
'''

EXAMPLES = r'''
- name: Back the platform database up to S3 before a deploy
  runbook.ops.pg_backup:
    host: db.internal
    user: backup
    password: "{{ vault_backup_password }}"
    database: judgify
    destination: s3://judgify-backups/postgres/
    sse: aws:kms
    sse_kms_key_id: alias/backups
    verify: archive
    keep_days: 7
  register: backup

- name: Prove a nightly backup by restoring it into a scratch database
  runbook.ops.pg_backup:
    database: judgify
    destination: /var/backups/postgres
    verify: restore
    keep_last: 14

- name: Parallel directory-format dump to an S3-compatible store without the newer checksums
  runbook.ops.pg_backup:
    database: judgify
    destination: s3://backups/pg/
    endpoint_url: https://minio.internal:9000
    s3_checksum_compat: true
    format: directory
    jobs: 4
    compression: "5"

- name: Retention only
  runbook.ops.pg_backup:
    database: judgify
    destination: s3://judgify-backups/postgres/
    keep_days: 7
    retention_only: true
'''

RETURN = r'''
key:
  description: Location of the backup written (or that would be written in check mode); a path or C(s3://) URI.
  returned: unless O(retention_only)
  type: str
  sample: s3://judgify-backups/postgres/2026/11/23/judgify_20261123T101500123Z.dump
manifest_key:
  description: Location of the manifest next to RV(key).
  returned: unless O(retention_only)
  type: str
  sample: 's3://judgify-backups/postgres/2026/11/23/judgify_20261123T101500123Z.dump.manifest.json'
checksum:
  description: SHA-256 of the stored artifact, C(sha256:<hex>).
  returned: when a backup was written
  type: str
  sample: 'sha256:3ed2915f098e9a1febca545b912370f1827a408e26ee7ec314749acfb7ac6c3e'
size:
  description: Size of the stored artifact in bytes.
  returned: when a backup was written
  type: int
  sample: 6600
duration_s:
  description: Seconds from the start of pg_dump to the last byte stored.
  returned: when a backup was written
  type: float
  sample: 0.479
throughput_mib_s:
  description: MiB per second stored.
  returned: when a backup was written
  type: float
  sample: 0.01
verification:
  description: C(method) (none, archive, restore) and C(passed); for restore also C(row_counts) and the dropped
    C(scratch_database).
  returned: when a backup was written
  type: dict
  sample: {method: restore, passed: true, row_counts: {public.cases: 340, public.judgments: 1200},
           scratch_database: judgify_verify_20261123101500}
manifest:
  description: The manifest written, with C(identity) (C(toc_digest), C(toc_entries), C(dump_dbname),
    C(system_identifier)), C(row_counts) (unless O(count_rows=false)) and, with O(manifest_hmac_key), C(hmac).
  returned: when a backup was written
  type: dict
  sample: {"database": "judgify", "format": "custom", "identity": {"dump_dbname": "judgify", "toc_entries": 42,
           "toc_digest": "sha256:5f0c...", "system_identifier": "7714454357583400007"},
           "row_counts": {"public.judgments": 120034}, "hmac": "hmac-sha256:9a1e...", "manifest_version": 2}
signed:
  description: Whether the manifest carries an HMAC (O(manifest_hmac_key) was set).
  returned: when a backup was written
  type: bool
  sample: true
deleted:
  description: Complete backups deleted by retention (would be, in check mode), with their manifests.
  returned: always
  type: list
  elements: str
  sample: ['s3://judgify-backups/postgres/2026/11/15/judgify_20261115T101500412Z.dump']
incomplete_deleted:
  description: Incomplete leftovers older than O(incomplete_grace_hours) deleted (would be, in check mode).
  returned: always
  type: list
  elements: str
  sample: ['s3://judgify-backups/postgres/2026/11/21/judgify_20261121T101500987Z.dump']
incomplete_uploads_aborted:
  description: Open multipart uploads older than O(incomplete_grace_hours) aborted (would be, in check mode).
  returned: always
  type: list
  elements: dict
  contains:
    key:
      description: Location the upload was writing.
      type: str
      sample: 's3://judgify-backups/postgres/2026/11/22/judgify_20261122T101500123Z.dump'
    upload_id:
      description: The upload's id.
      type: str
      sample: ruQLOcqnEOf1pLLKCcLv9zXRTAAse0oxjnvpI0h4hOXnafNFSMkSFhO9qg
    initiated:
      description: When the store says the upload started (ISO 8601).
      type: str
      sample: '2026-11-22T10:15:01+00:00'
  sample: [{key: s3://judgify-backups/postgres/2026/11/23/judgify_20261123T101500123Z.dump, upload_id: 2~abc,
            initiated: "2026-11-23T10:15:01+00:00"}]
retention:
  description: How retention chose the backup it keeps whatever the rules say.
  returned: always
  type: dict
  contains:
    recheck:
      description: O(retention_recheck).
      type: str
      sample: checksum
    protected:
      description: The newest backup that passed (or was not re-checked), never deleted; null when nothing is
        deleted.
      type: str
      sample: 's3://judgify-backups/postgres/2026/11/23/judgify_20261123T101500123Z.dump'
    rechecked:
      description: Backups re-checked, newest first, each with C(key), C(passed) and the C(error) found.
      type: list
      elements: dict
      sample:
        - key: 's3://judgify-backups/postgres/2026/11/23/judgify_20261123T101500123Z.dump'
          passed: true
          error: null
    reason:
      description: Why RV(retention.protected) is kept and which newer backups failed the re-check.
      type: str
      sample: 2026/11/23/judgify_20261123T101500123Z.dump is kept as the newest verified backup, written and verified
        by this run
  sample: {recheck: checksum, protected: /var/backups/postgres/2026/11/22/judgify_20261122T101500123Z.dump,
           rechecked: [{key: /var/backups/postgres/2026/11/23/judgify_20261123T101500123Z.dump, passed: false,
                        error: "... does not match its manifest ..."}], reason: "..."}
elapsed_ms:
  description: Milliseconds per phase (connect, destination, retention_plan (with the re-check of
    O(retention_recheck) and the listing of open uploads), count, dump, verify, identity, manifest, retention)
    and C(total).
  returned: always
  type: dict
  sample: {connect: 137.9, destination: 0.1, retention_plan: 0.0, count: 8.1, dump: 425.5, verify: 627.5,
           identity: 50.9, manifest: 10.6, retention: 0.0, total: 1308.5}
'''

from ansible.module_utils.basic import AnsibleModule, missing_required_lib

from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.pg import connection, manifest as manifests, storage
from ansible_collections.runbook.ops.plugins.module_utils.pg.backup import VERIFY_METHODS, Backup
from ansible_collections.runbook.ops.plugins.module_utils.pg.keys import manifest_key


def argument_spec():
    spec = connection.argument_spec()
    spec.update(storage.argument_spec())
    spec.update(
        database=dict(type="str", required=True),
        destination=dict(type="str", required=True),
        format=dict(type="str", choices=["custom", "plain", "directory"], default="custom"),
        compression=dict(type="str"),
        jobs=dict(type="int", default=1),
        verify=dict(type="str", choices=list(VERIFY_METHODS), default="archive"),
        keep_days=dict(type="int"),
        keep_last=dict(type="int"),
        incomplete_grace_hours=dict(type="float", default=24),
        retention_recheck=dict(type="str", choices=["checksum", "none"], default="checksum"),
        retention_only=dict(type="bool", default=False),
        count_rows=dict(type="bool", default=True),
    )
    spec.update(manifests.argument_spec())
    return spec


def run(module, timer):
    backup = Backup(module.params, timer)
    plan = backup.plan()
    uri = backup.storage.uri
    result = {
        "deleted": [uri(key) for key in plan["deleted"]],
        "incomplete_deleted": [uri(key) for key in plan["incomplete_deleted"]],
        "incomplete_uploads_aborted": plan["incomplete_uploads_aborted"],
        "retention": plan["retention"],
        "changed": bool(plan["key"] or plan["deleted"] or plan["incomplete_deleted"]
                        or plan["incomplete_uploads_aborted"]),
    }
    if plan["key"]:
        result.update(key=uri(plan["key"]), manifest_key=uri(manifest_key(plan["key"])))
    if not module.check_mode:
        result.update(backup.apply())
    if module._diff:
        before = [uri(entry["key"]) for entry in backup.complete]
        after = [key for key in before if key not in result["deleted"]] + ([result["key"]] if plan["key"] else [])
        result["diff"] = {"before": {"backups": before}, "after": {"backups": after}}
    return result


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    if not connection.HAS_PSYCOPG2:
        module.fail_json(msg=missing_required_lib("psycopg2"))
    run_module(module, lambda timer: run(module, timer))


if __name__ == "__main__":
    main()
