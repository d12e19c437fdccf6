# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The manifest written last next to an artifact: what makes a backup complete, what identifies its content,
and (with a key) an HMAC proving it was written by a holder of that key."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib
import hmac
import json

from ansible.module_utils.basic import env_fallback

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError

# 2: content identity (``identity``: TOC digest and entries, database named in the dump, system identifier),
# ``row_counts`` of the dump's snapshot, and the optional ``hmac``.
VERSION = 2
REQUIRED = {
    "checksum": str, "size": int, "database": str, "format": str, "key": str,
    "started": str, "finished": str,
}
HMAC_FIELD = "hmac"
HMAC_PREFIX = "hmac-sha256:"
KEY_ENV = "RUNBOOK_BACKUP_MANIFEST_HMAC_KEY"


class ManifestError(RunbookError):
    pass


def canonical(manifest):
    """The bytes the HMAC covers: the manifest without its ``hmac`` field, keys sorted, no whitespace, ASCII."""
    body = dict((field, value) for field, value in manifest.items() if field != HMAC_FIELD)
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode("ascii")


def sign(manifest, secret):
    return HMAC_PREFIX + hmac.new(secret.encode("utf-8"), canonical(manifest), hashlib.sha256).hexdigest()


def dumps(manifest, secret=None):
    """The manifest as stored; with ``secret`` it carries an HMAC-SHA256 over its canonical form."""
    body = dict((field, value) for field, value in manifest.items() if field != HMAC_FIELD)
    body["manifest_version"] = VERSION
    if secret:
        body[HMAC_FIELD] = sign(body, secret)
    return json.dumps(body, indent=2, sort_keys=True).encode("utf-8")


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


def validate_key(secret):
    """Whether a key is given; an empty one is refused rather than taken for none."""
    if secret is not None and not secret:
        raise InputError("manifest_hmac_key", secret, "give the key the manifests were written with, or leave it unset")
    return secret is not None


def authenticate(manifest, secret, allow_unsigned=False, key="manifest"):
    """True when the manifest's HMAC matches ``secret``; False without a secret (nothing proven) or for an
    unsigned manifest that ``allow_unsigned`` accepts. Raises ManifestError for a wrong or missing HMAC."""
    if not validate_key(secret):
        return False
    found = manifest.get(HMAC_FIELD)
    if found is None:
        if allow_unsigned:
            return False
        raise ManifestError("%s carries no HMAC although manifest_hmac_key is set: it was written without a key, or "
                            "its HMAC was removed; refusing it (allow_unsigned_manifest=true accepts unsigned "
                            "manifests)" % key, manifest_key=key, authenticated=False)
    if not isinstance(found, str) or not hmac.compare_digest(found, sign(manifest, secret)):
        raise ManifestError("%s has an HMAC that does not match manifest_hmac_key: the manifest was changed after it "
                            "was written, or written with another key; refusing it" % key,
                            manifest_key=key, authenticated=False)
    return True


def is_verified(manifest):
    """A backup proven by reading it back (archive) or restoring it (restore)."""
    verification = manifest.get("verification") or {}
    return verification.get("method") in ("archive", "restore") and verification.get("passed") is True


def argument_spec(verifying=False):
    """Options of the runbook.ops.manifest_hmac_key fragment (``verifying``: also its VERIFY part)."""
    spec = dict(manifest_hmac_key=dict(type="str", no_log=True, fallback=(env_fallback, [KEY_ENV])))
    if verifying:
        spec["allow_unsigned_manifest"] = dict(type="bool", default=False)
    return spec
