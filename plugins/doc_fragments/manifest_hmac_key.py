# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):

    # The key of authenticated backup manifests (HMAC-SHA256).
    DOCUMENTATION = r'''
options:
  manifest_hmac_key:
    description:
      - Secret key of authenticated manifests. M(runbook.ops.pg_backup) writes an HMAC-SHA256 of the
        manifest's canonical form (JSON, keys sorted, no whitespace, without the C(hmac) field) into its
        C(hmac) field; M(runbook.ops.pg_backup_info) and M(runbook.ops.pg_restore) refuse a manifest whose
        HMAC does not match this key, or that has none.
      - An HMAC proves the manifest was written by a holder of the key, so a manifest rewritten to match an
        edited or replaced dump is detected. Without a key nothing proves who wrote a manifest, and results
        report C(authenticated=false).
      - Never logged. Defaults to the environment variable C(RUNBOOK_BACKUP_MANIFEST_HMAC_KEY) (for example from an
        AWX custom credential).
    type: str
'''

    # Options of the modules that check manifests.
    VERIFY = r'''
options:
  allow_unsigned_manifest:
    description:
      - With O(manifest_hmac_key), also accept manifests that carry no HMAC (backups written before a key was
        introduced). They are reported with C(authenticated=false); nothing proves who wrote them.
      - A manifest with an HMAC that does not match is refused regardless.
    type: bool
    default: false
'''
