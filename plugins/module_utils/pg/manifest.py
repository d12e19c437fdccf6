# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manifest written last next to an artifact: what makes a backup complete."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import json

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

VERSION = 1
REQUIRED = {
    "checksum": str, "size": int, "database": str, "format": str, "key": str,
    "started": str, "finished": str,
}


class ManifestError(RunbookError):
    pass


def dumps(manifest):
    return json.dumps(dict(manifest, manifest_version=VERSION), indent=2, sort_keys=True).encode("utf-8")


def parse(data, key="manifest"):
    """The manifest as a dict; raises ManifestError when it is not a manifest of ours."""
    try:
        manifest = json.loads(data.decode("utf-8") if isinstance(data, bytes) else data)
    except ValueError as exc:
        raise ManifestError("%s is not valid JSON: %s" % (key, exc), manifest_key=key)
    if not isinstance(manifest, dict):
        raise ManifestError("%s is not a JSON object" % key, manifest_key=key)
    for field, kind in sorted(REQUIRED.items()):
        value = manifest.get(field)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ManifestError("%s lacks a valid '%s' field" % (key, field), manifest_key=key)
    checksum = manifest["checksum"]
    if not checksum.startswith("sha256:") or len(checksum) != len("sha256:") + 64:
        raise ManifestError("%s has a checksum that is not sha256:<64 hex digits>" % key, manifest_key=key)
    return manifest


def is_verified(manifest):
    """A backup proven by reading it back (archive) or restoring it (restore)."""
    verification = manifest.get("verification") or {}
    return verification.get("method") in ("archive", "restore") and verification.get("passed") is True
