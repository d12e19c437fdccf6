# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The JSON report of a smoke check (schema documented in docs/smoke_check.md)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json
import os
import tempfile

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

SCHEMA_VERSION = 1


def build_report(target, started_at, finished_at, thresholds, overall, checks, breaches, wait):
    return {
        "schema_version": SCHEMA_VERSION,
        "success": not breaches and wait.get("ready", True),
        "target": target,
        "started_at": started_at,
        "finished_at": finished_at,
        "percentile_method": "nearest-rank",
        "thresholds": thresholds,
        "wait_for": wait,
        "overall": overall,
        "checks": checks,
        "breaches": breaches,
    }


def write_report(path, report):
    """Write ``report`` to ``path`` atomically, so readers never see half a report."""
    directory = os.path.dirname(os.path.abspath(path))
    try:
        handle, temporary = tempfile.mkstemp(prefix=".smoke_check.", dir=directory)
        with os.fdopen(handle, "w") as stream:
            json.dump(report, stream, indent=2, sort_keys=True)
            stream.write("\n")
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except OSError as exc:
        raise RunbookError("Cannot write the report to %s: %s" % (path, exc), report_path=path)
