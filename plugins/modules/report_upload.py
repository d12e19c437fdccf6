#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r'''
module: report_upload
short_description: Copy run reports into the backup store, next to the backups
version_added: "0.1.0"
description:
  - Copies each file of O(files) to C(<destination>/<prefix>/<file name>), where O(destination) is the directory
    or C(s3://bucket/prefix/) that M(runbook.ops.pg_backup) writes backups to, through the same storage code
    (a file is written whole to C(.partial) and renamed; an S3 object is put in one request).
  - A file whose stored copy already has the same content is left alone, so a second identical run reports
    no change.
  - The run reports of an AWX job live on the execution environment's throwaway file system; this keeps
    them where the backups are kept.
author:
  - runbook.ops maintainers (@runbook-ops)
extends_documentation_fragment:
  - runbook.ops.aws
  - runbook.ops.s3
attributes:
  check_mode:
    support: full
    description: Reads what is stored and reports what would be written, writing nothing.
  diff_mode:
    support: full
    description: Lists the stored reports before and after.
options:
  destination:
    description:
      - An absolute directory, or C(s3://bucket/prefix/), usually the backup destination.
    type: str
    required: true
  prefix:
    description:
      - Folder under O(destination) the files go to.
    type: str
    default: reports
  files:
    description:
      - Local files to copy; each keeps its base name.
    type: list
    elements: path
    required: true
seealso:
  - module: runbook.ops.pg_backup
    description: Writes the backups into the same destination.
  - module: amazon.aws.s3_object
    description: General S3 object management.
'''

EXAMPLES = r'''
- name: Keep the run's report with the backups
  runbook.ops.report_upload:
    destination: s3://judgify-backups/prod/postgres/
    files:
      - reports/deploy-prod-20261201T020000Z.json
      - reports/deploy-prod-20261201T020000Z.md
  register: uploaded

- name: Say where
  ansible.builtin.debug:
    msg: "{{ uploaded.locations }}"
'''

RETURN = r'''
locations:
  description: Where each file is stored, in the order of O(files).
  returned: always
  type: list
  elements: str
  sample: [s3://judgify-backups/prod/postgres/reports/deploy-prod-20261201T020000Z.json]
written:
  description: Locations written by this run (in check mode, those that would be).
  returned: always
  type: list
  elements: str
  sample: [/var/backups/judgify/reports/deploy-prod-20261201T020000Z.json]
elapsed_ms:
  description: Milliseconds to read the files and compare them with the stored copies (C(compare)), to write
    (C(write)), and C(total).
  returned: always
  type: dict
  sample: {compare: 12.5, write: 30.1, total: 45.0}
'''

import os

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError
from ansible_collections.runbook.ops.plugins.module_utils.module import run_module
from ansible_collections.runbook.ops.plugins.module_utils.pg import storage


def argument_spec():
    spec = storage.argument_spec()
    spec.update(
        destination=dict(type="str", required=True),
        prefix=dict(type="str", default="reports"),
        files=dict(type="list", elements="path", required=True),
    )
    return spec


def read_local(path):
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (IOError, OSError) as exc:
        raise InputError("files", path, "the file cannot be read (%s)" % (exc.strerror or exc))


def plan(store, files, prefix):
    """(key, content, whether the stored copy differs) for each file."""
    folder = prefix.strip("/")
    planned = []
    for path in files:
        key = "/".join(part for part in (folder, os.path.basename(path)) if part)
        content = read_local(path)
        stale = not store.exists(key) or store.read_bytes(key) != content
        planned.append((key, content, stale))
    return planned


def run(module, timer):
    params = module.params
    if not params["files"]:
        raise InputError("files", params["files"], "give at least one file to copy")
    store = storage.open_destination(params["destination"], params)
    with timer.phase("compare"):
        store.check(writable=not module.check_mode)
        planned = plan(store, params["files"], params["prefix"])
    written = [store.uri(key) for key, _content, stale in planned if stale]
    with timer.phase("write"):
        if not module.check_mode:
            for key, content, stale in planned:
                if stale:
                    store.put_bytes(key, content)
    locations = [store.uri(key) for key, _content, _stale in planned]
    stored = [store.uri(key) for key, _content, stale in planned if not stale]
    return {
        "changed": bool(written),
        "locations": locations,
        "written": written,
        "diff": {"before": {"stored": stored}, "after": {"stored": locations}},
    }


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    run_module(module, lambda timer: run(module, timer))


if __name__ == "__main__":
    main()
