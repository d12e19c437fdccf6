# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""coordination.k8s.io Leases as locks: the Kubernetes I/O of the switch's Lease and of the run lock.

A Lease that is absent, released (empty holderIdentity, as client-go's leader election leaves it)
or without a holder is free. Writes carry the resourceVersion read, so two runs never both win.
Every run lock record keeps its times in the Lease's MicroTime format, the file store's too
(run_lock/record.py), so the format stays here with the object that defines it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import datetime

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils import timing
from ansible_collections.runbook.ops.plugins.module_utils.k8s.errors import ApiException, describe

try:
    from kubernetes.dynamic.exceptions import DynamicApiError
except ImportError:  # modules report the missing library before a Lease is touched
    class DynamicApiError(ApiException):  # as the library's, a kind of ApiException
        status = None
        reason = None
        body = None

MICRO_TIME = "%Y-%m-%dT%H:%M:%S.%fZ"
MANAGED_BY = {"app.kubernetes.io/managed-by": "runbook.ops"}


def utc_now():
    """Naive UTC, as Lease times are parsed."""
    return timing.utc_now().replace(tzinfo=None)


def format_time(moment):
    return moment.strftime(MICRO_TIME)


def parse_time(value):
    if not value:
        return None
    value = value.rstrip("Z")
    return datetime.datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f" if "." in value else "%Y-%m-%dT%H:%M:%S")


def spec_of(lease):
    return (lease or {}).get("spec") or {}


def holder_identity(lease):
    return spec_of(lease).get("holderIdentity") or None


def free(lease):
    """Absent, released or holder-less: anyone may take it."""
    return holder_identity(lease) is None


def expires_at(lease):
    spec = spec_of(lease)
    renewed = parse_time(spec.get("renewTime") or spec.get("acquireTime"))
    if renewed is None:
        return None
    return renewed + datetime.timedelta(seconds=spec.get("leaseDurationSeconds") or 0)


def expired(lease, now):
    ends = expires_at(lease)
    return ends is None or ends < now


def holder_of(lease):
    spec = spec_of(lease)
    holder = spec.get("holderIdentity") or "unknown"
    renewed = spec.get("renewTime") or spec.get("acquireTime") or "never"
    return "%s (renewed %s, for %ss)" % (holder, renewed, spec.get("leaseDurationSeconds") or 0)


def lease_body(name, holder, duration, current=None, acquired=None, renewed=None, labels=None, annotations=None):
    """The Lease held by holder from now (or renewed) for duration seconds; over current, with its resourceVersion."""
    now = renewed or format_time(utc_now())
    metadata = {"name": name, "labels": dict(MANAGED_BY, **(labels or {}))}
    if annotations:
        metadata["annotations"] = annotations
    if current:
        metadata["resourceVersion"] = current["metadata"]["resourceVersion"]
    return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": metadata,
            "spec": {"holderIdentity": holder, "leaseDurationSeconds": int(duration),
                     "acquireTime": acquired or now, "renewTime": now}}


def as_dict(obj):
    return obj.to_dict() if hasattr(obj, "to_dict") else obj


class LeaseStore:
    """One Lease, through the dynamic client's coordination.k8s.io/v1 Lease resource; a store for locking.acquire."""

    def __init__(self, leases, namespace, name):
        self.leases = leases
        self.namespace = namespace
        self.name = name

    def read(self):
        try:
            return as_dict(self.leases.get(name=self.name, namespace=self.namespace))
        except DynamicApiError as exc:
            if exc.status == 404:
                return None
            raise self.failure("read", exc) from exc
        except Exception as exc:  # pylint: disable=broad-except
            raise self.failure("read", exc) from exc

    def write(self, body, current):
        """Create (current None) or replace current; None when another run got there first (409, or 404 on replace)."""
        verb = "create" if current is None else "update"
        try:
            if current is None:
                return as_dict(self.leases.create(body, namespace=self.namespace))
            return as_dict(self.leases.replace(body, namespace=self.namespace))
        except DynamicApiError as exc:
            if exc.status == 409 or (exc.status == 404 and current is not None):
                return None
            if exc.status == 404:
                raise RunbookError("Cannot create Lease %s: namespace %s does not exist (HTTP 404)"
                                   % (self.name, self.namespace))
            raise self.failure(verb, exc) from exc
        except Exception as exc:  # pylint: disable=broad-except
            raise self.failure(verb, exc) from exc

    def delete(self, current):
        """Delete the Lease if it is still current; False when it is gone or changed since."""
        options = {"kind": "DeleteOptions", "apiVersion": "v1",
                   "preconditions": {"resourceVersion": current["metadata"]["resourceVersion"]}}
        try:
            self.leases.delete(name=self.name, namespace=self.namespace, body=options)
            return True
        except DynamicApiError as exc:
            if exc.status in (404, 409):
                return False
            raise self.failure("delete", exc) from exc
        except Exception as exc:  # pylint: disable=broad-except
            raise self.failure("delete", exc) from exc

    def failure(self, verb, exc):
        return RunbookError("Cannot %s Lease %s in namespace %s: %s" % (verb, self.name, self.namespace, describe(exc)))
