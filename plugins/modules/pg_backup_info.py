#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: pg_backup_info
short_description: List the complete backups of a database written by runbook.ops.pg_backup
version_added: "0.1.0"
description:
  - Lists the complete backups (those with a valid manifest) of O(database) under O(destination), newest
    first, with their manifests, and the incomplete leftovers and open S3 multipart uploads separately.
  - With O(verify) each listed backup is read again. V(checksum) compares its SHA-256 and size with the
    manifest, which proves the stored bytes are the ones written, as long as the manifest itself was not
    rewritten. V(archive) first reads the whole archive through C(pg_restore) into C(/dev/null) (or checks a
    plain script's completion line), which catches truncation C(pg_restore --list) does not, and compares the
    dump's table of contents and the database its header names with those the manifest records, which catches
    a dump edited or replaced together with its manifest's checksum. Manifests written before content identity
    was recorded (version 1) get the database check only; C(identity) in RV(backups[].verification) says what was
    compared.
  - With O(manifest_hmac_key) every manifest's HMAC is checked; backups whose manifest does not match (or carries
    none, unless O(allow_unsigned_manifest)) are not listed in RV(backups) but in RV(rejected). See
    C(docs/backups.md) for what each check proves.
  - Read-only; needs no database connection.
author:
  - runbook.ops maintainers (@runbook-ops)
seealso:
  - module: runbook.ops.pg_backup
    description: Writes the backups listed here.
  - module: runbook.ops.pg_restore
    description: Restores one of them.
extends_documentation_fragment:
  - runbook.ops.aws
  - runbook.ops.s3
  - runbook.ops.manifest_hmac_key
  - runbook.ops.manifest_hmac_key.verify
attributes:
  check_mode:
    support: full
    description: Only reads, so check mode runs as usual.
  diff_mode:
    support: none
    description: Nothing is changed.
options:
  destination:
    description:
      - An absolute directory, or C(s3://bucket/prefix/).
    type: str
    required: true
  database:
    description:
      - The database whose backups to list.
    type: str
    required: true
  verify:
    description:
      - Re-check each listed backup (see the description). A failed check is reported in
        RV(backups[].verification) and RV(all_verified), it does not fail the task.
    type: str
    choices: [none, checksum, archive]
    default: none
  bin_dir:
    description:
      - Directory holding C(pg_restore) for O(verify=archive). Defaults to PATH.
    type: path
'''

EXAMPLES = r'''
- name: Latest backup of the platform database
  runbook.ops.pg_backup_info:
    destination: s3://judgify-backups/postgres/
    database: judgify
  register: backups

- name: Show it
  ansible.builtin.debug:
    msg: "{{ backups.backups[0].key }} ({{ backups.backups[0].size }} bytes)"
  when: backups.backups | length > 0
'''

RETURN = r'''
backups:
  description: Complete backups, newest first.
  returned: always
  type: list
  elements: dict
  sample:
    - key: 's3://judgify-backups/postgres/2026/12/02/judgify_20261202T012208065Z.dump'
      manifest_key: 's3://judgify-backups/postgres/2026/12/02/judgify_20261202T012208065Z.dump.manifest.json'
      started: '2026-12-02T01:22:08.210771+00:00'
      size: 6600
      checksum: 'sha256:1170bfd37c6b7370a8a84d9e6d0f0dda6eb54d344746ab3713cda79819b3a123'
      verified: true
      authenticated: true
      manifest:
        manifest_version: 2
        key: 2026/12/02/judgify_20261202T012208065Z.dump
        database: judgify
        format: custom
        compression: default
        checksum: 'sha256:1170bfd37c6b7370a8a84d9e6d0f0dda6eb54d344746ab3713cda79819b3a123'
        size: 6600
        started: '2026-12-02T01:22:08.210771+00:00'
        finished: '2026-12-02T01:22:08.859258+00:00'
        duration_s: 0.543
        pg_dump_version: 15.18 (Debian 15.18-0+deb12u1)
        server_version: 15.18 (Debian 15.18-0+deb12u1)
        identity: {dump_dbname: judgify, system_identifier: '7714508633599211141', toc_entries: 10,
                   toc_digest: 'sha256:12f57117a2d4dc29c3e22d141b0109ec3c34cbc8cf3559f107523d227de7c74b'}
        row_counts: {public.cases: 340, public.judgments: 1200}
        row_estimates: {public.cases: 340, public.judgments: 1200}
        verification: {method: archive, passed: true}
        hmac: 'hmac-sha256:d7d958efd16524d3015927cef62a30b56b2b010a1efa4d4794ec4a2faaccfa0a'
      verification: {method: archive, passed: true, error: null, identity: {database: true, toc: true}}
  contains:
    key:
      description: Location of the artifact.
      type: str
      sample: 's3://judgify-backups/postgres/2026/12/02/judgify_20261202T012208065Z.dump'
    manifest_key:
      description: Location of its manifest.
      type: str
      sample: 's3://judgify-backups/postgres/2026/12/02/judgify_20261202T012208065Z.dump.manifest.json'
    started:
      description: When pg_dump started (ISO 8601, UTC).
      type: str
      sample: '2026-12-02T01:22:08.210771+00:00'
    size:
      description: Bytes.
      type: int
      sample: 6600
    checksum:
      description: C(sha256:<hex>).
      type: str
      sample: 'sha256:1170bfd37c6b7370a8a84d9e6d0f0dda6eb54d344746ab3713cda79819b3a123'
    verified:
      description: Whether verification (archive or restore) passed when it was written, as its manifest says.
      type: bool
      sample: true
    authenticated:
      description: Whether its manifest's HMAC matched O(manifest_hmac_key); false without a key, or for an unsigned
        manifest accepted with O(allow_unsigned_manifest).
      type: bool
      sample: true
    manifest:
      description: The whole manifest.
      type: dict
      sample: {manifest_version: 2, key: 2026/12/02/judgify_20261202T012208065Z.dump, database: judgify,
               format: custom, checksum: 'sha256:1170bfd37c6b7370a8a84d9e6d0f0dda6eb54d344746ab3713cda79819b3a123',
               size: 6600, row_counts: {public.cases: 340, public.judgments: 1200},
               verification: {method: archive, passed: true}}
    verification:
      description: With O(verify), C(method), C(passed) and the C(error) found; for V(archive) also C(identity),
        what of the dump's identity was compared (C(database), C(toc)).
      type: dict
      sample: {method: archive, passed: true, error: null, identity: {database: true, toc: true}}
all_verified:
  description: Whether every listed backup passed O(verify) and no manifest was rejected (true when nothing was
    checked).
  returned: always
  type: bool
  sample: true
rejected:
  description: With O(manifest_hmac_key), backups whose manifest failed the HMAC check, each with C(key) and C(error).
  returned: always
  type: list
  elements: dict
  sample: [{key: s3://judgify-backups/postgres/2026/11/23/judgify_20261123T101500123Z.dump,
            error: "... has an HMAC that does not match manifest_hmac_key ..."}]
incomplete:
  description: Artifacts without a valid manifest (interrupted or failed backups), newest first.
  returned: always
  type: list
  elements: str
  sample: ['s3://judgify-backups/postgres/2026/12/01/judgify_20261201T040000456Z.dump']
incomplete_uploads:
  description: Open S3 multipart uploads of O(database)'s backups (a run killed mid-upload), newest first. They
    take storage until aborted; M(runbook.ops.pg_backup) aborts them once older than its
    O(runbook.ops.pg_backup#module:incomplete_grace_hours).
    Empty for a directory.
  returned: always
  type: list
  elements: dict
  sample:
    - key: 's3://judgify-backups/postgres/2026/12/02/judgify_20261202T040000123Z.dump'
      upload_id: ruQLOcqnEOf1pLLKCcLv9zXRTAAse0oxjnvpI0h4hOXnafNFSMkSFhO9qg
      initiated: '2026-12-02T04:00:01+00:00'
  contains:
    key:
      description: Location the upload was writing.
      type: str
      sample: 's3://judgify-backups/postgres/2026/12/02/judgify_20261202T040000123Z.dump'
    upload_id:
      description: The upload's id.
      type: str
      sample: ruQLOcqnEOf1pLLKCcLv9zXRTAAse0oxjnvpI0h4hOXnafNFSMkSFhO9qg
    initiated:
      description: When the store says the upload started (ISO 8601).
      type: str
      sample: '2026-12-02T04:00:01+00:00'
elapsed_ms:
  description: Milliseconds to list and read the manifests (C(list)), to C(verify), and C(total).
  returned: always
  type: dict
  sample: {list: 11.1, verify: 99.5, total: 111.6}
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.pg import catalog, client, keys, storage, verify
from ansible_collections.runbook.ops.plugins.module_utils.pg import manifest as manifests


def argument_spec():
    spec = storage.argument_spec()
    spec.update(
        destination=dict(type="str", required=True),
        database=dict(type="str", required=True),
        verify=dict(type="str", choices=["none", "checksum", "archive"], default="none"),
        bin_dir=dict(type="path"),
    )
    spec.update(manifests.argument_spec(verifying=True))
    return spec


def authenticate_all(store, complete, params):
    """(entries whose manifest passes the HMAC check, with whether it was authenticated; rejected ones)."""
    accepted, rejected = [], []
    for entry in complete:
        try:
            authenticated = manifests.authenticate(entry["manifest"], params["manifest_hmac_key"],
                                                   params["allow_unsigned_manifest"],
                                                   store.uri(keys.manifest_key(entry["key"])))
        except manifests.ManifestError as exc:
            rejected.append({"key": store.uri(entry["key"]), "error": exc.msg})
            continue
        accepted.append((entry, authenticated))
    return accepted, rejected


def prove_all(store, complete, method, bin_dir, timer):
    pg_restore = client.locate("pg_restore", bin_dir) if method == "archive" else None
    with timer.phase("verify"):
        return [verify.prove(store, entry["key"], entry["manifest"], method, pg_restore) for entry in complete]


def run(module, timer):
    store = storage.open_destination(module.params["destination"], module.params)
    with timer.phase("list"):
        store.check(writable=False)
        complete, leftovers = catalog.scan(store, module.params["database"])
    manifests.validate_key(module.params["manifest_hmac_key"])
    accepted, rejected = authenticate_all(store, complete, module.params)
    complete = [entry for entry, _authenticated in accepted]
    backups = [dict(catalog.summary(entry, store), authenticated=authenticated) for entry, authenticated in accepted]
    method = module.params["verify"]
    if method != "none":
        for backup, verification in zip(backups, prove_all(store, complete, method, module.params["bin_dir"], timer)):
            backup["verification"] = verification
    return {
        "changed": False,
        "backups": backups,
        "all_verified": not rejected and all(b.get("verification", {}).get("passed", True) for b in backups),
        "rejected": rejected,
        "incomplete": [store.uri(entry["key"]) for entry in leftovers],
        "incomplete_uploads": [catalog.upload_summary(upload, store)
                               for upload in catalog.open_uploads(store, module.params["database"])],
    }


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, lambda timer: run(module, timer))


if __name__ == "__main__":
    main()
