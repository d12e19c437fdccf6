# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The run lock as a coordination.k8s.io Lease C(runbook-run-<group>): the Kubernetes I/O of run_lock.

The Lease is distinct from the switch's (C(runbook-switch-<group>)), so a run's own switch never
waits for the run's lock. The holder's pid and host are kept in annotations.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.runbook.ops.plugins.module_utils.k8s import lease
from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.k8s import client as k8s_client
from ansible_collections.runbook.ops.plugins.module_utils.k8s import errors as k8s_errors

PID = "runbook.ops/holder-pid"
HOST = "runbook.ops/holder-host"
LABELS = {"runbook.ops/lock": "run"}


def lease_name(group):
    return "runbook-run-%s" % group


class LeaseStore:
    """A store of run-lock records (see record.py) in one Lease; its reads carry the Lease for the next write."""

    def __init__(self, module, namespace, group):
        self.name = lease_name(group)
        self.namespace = namespace
        try:
            client = k8s_client.api_client(**module.params).client
            leases = client.resources.get(api_version="coordination.k8s.io/v1", kind="Lease")
        except Exception as exc:  # pylint: disable=broad-except
            # CoreException for the configuration; discovery fails with urllib3 or dynamic-client errors
            raise RunbookError("Cannot connect to the Kubernetes API: %s" % k8s_errors.describe(exc)) from exc
        self.store = lease.LeaseStore(leases, namespace, self.name)

    def location(self):
        return "Lease %s in namespace %s" % (self.name, self.namespace)

    def removal(self):
        return "delete the Lease (kubectl -n %s delete lease %s)" % (self.namespace, self.name)

    def read(self):
        return record_of(self.store.read())

    def write(self, record, current):
        body = lease.lease_body(self.name, record["holder"], record["ttl"], current=(current or {}).get("lease"),
                                acquired=record["acquired"], renewed=record["renewed"], labels=LABELS,
                                annotations={PID: str(record.get("pid") or ""), HOST: record.get("host") or ""})
        return record_of(self.store.write(body, (current or {}).get("lease")))

    def delete(self, current):
        return self.store.delete(current["lease"])


def record_of(found):
    """The Lease as a record; None when there is no Lease."""
    if found is None:
        return None
    spec, notes = lease.spec_of(found), (found.get("metadata") or {}).get("annotations") or {}
    ends = lease.expires_at(found)
    pid = notes.get(PID)
    return dict(holder=spec.get("holderIdentity") or None, pid=int(pid) if pid and pid.isdigit() else None,
                host=notes.get(HOST) or None, acquired=spec.get("acquireTime"),
                renewed=spec.get("renewTime"), ttl=spec.get("leaseDurationSeconds"),
                expires=lease.format_time(ends) if ends else None, lease=found)
