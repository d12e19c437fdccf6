# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Backups found under a destination: complete ones (with a valid manifest), incomplete leftovers, and open
multipart uploads of backups that were never completed."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import keys, manifest as manifests


def scan(storage, database):
    """(complete, leftovers) of ``database``, newest first.

    Complete entries carry ``key``, ``started``, ``verified`` and the parsed ``manifest``; an artifact
    whose manifest is missing, unreadable or names another artifact is a leftover.
    """
    listed = storage.list()
    names = set(item["key"] for item in listed)
    complete, leftovers = [], []
    for item in listed:
        info = keys.parse(item["key"])
        if info is None or info["database"] != database:
            continue
        entry = {"key": item["key"], "started": info["started"], "size": item["size"]}
        manifest = _manifest_of(storage, item["key"]) if keys.manifest_key(item["key"]) in names else None
        if manifest is None:
            leftovers.append(entry)
            continue
        entry.update(manifest=manifest, verified=manifests.is_verified(manifest))
        complete.append(entry)
    return _newest_first(complete), _newest_first(leftovers)


def open_uploads(storage, database):
    """Open multipart uploads of ``database``'s backups, newest first, as ``{key, upload_id, initiated, started}``
    (``started`` from the key). Uploads of keys that are not backups of ``database`` are not ours to judge."""
    found = []
    for upload in storage.incomplete_uploads():
        info = keys.parse(upload["key"])
        if info is not None and info["database"] == database:
            found.append(dict(upload, started=info["started"]))
    return _newest_first(found)


def upload_summary(upload, storage):
    return {"key": storage.uri(upload["key"]), "upload_id": upload["upload_id"],
            "initiated": upload["initiated"].isoformat()}


def _newest_first(entries):
    return sorted(entries, key=lambda entry: entry["started"], reverse=True)


def _manifest_of(storage, key):
    try:
        manifest = manifests.parse(storage.read_bytes(keys.manifest_key(key)), keys.manifest_key(key))
    except RunbookError:
        return None
    # The file name, not the whole key: a backup tree copied under another prefix stays complete.
    return manifest if manifest["key"].rsplit("/", 1)[-1] == key.rsplit("/", 1)[-1] else None


def delete_backup(storage, key):
    """Manifest first: a crash in between leaves an incomplete leftover, never a complete-looking backup."""
    if storage.exists(keys.manifest_key(key)):
        storage.delete(keys.manifest_key(key))
    storage.delete(key)


def summary(entry, storage):
    manifest = entry["manifest"]
    return {
        "key": storage.uri(entry["key"]),
        "manifest_key": storage.uri(keys.manifest_key(entry["key"])),
        "started": manifest["started"],
        "size": manifest["size"],
        "checksum": manifest["checksum"],
        "verified": entry["verified"],
        "manifest": manifest,
    }
