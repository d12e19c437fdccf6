# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Kubernetes backend of bluegreen_switch: Service selectors moved between colors as one transaction.

Validate every target (Deployment rolled out, enough ready pods), take the group's Lease, patch every
Service concurrently with its resourceVersion as precondition, verify the EndpointSlices hold only
target-color pods, and on any failure or interrupt put back every Service already patched.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import dataclasses
import getpass
import signal
import socket
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from ansible_collections.runbook.ops.plugins.module_utils.colors import COLORS
from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError, describe_error
from ansible_collections.runbook.ops.plugins.module_utils.k8s import cluster as k8s_cluster
from ansible_collections.runbook.ops.plugins.module_utils.k8s import errors as k8s_errors
from ansible_collections.runbook.ops.plugins.module_utils.switch import plan
from ansible_collections.runbook.ops.plugins.module_utils.switch.lock import LeaseLock
from ansible_collections.runbook.ops.plugins.module_utils.timing import iso_seconds, utc_now
from ansible_collections.runbook.ops.plugins.module_utils.transaction import Transaction

ANNOTATION = "runbook.ops/"
PREVIOUS = ANNOTATION + "previous-color"
RECORDED = (PREVIOUS, ANNOTATION + "change-id", ANNOTATION + "switched-at", ANNOTATION + "switched-by")
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
PATCH_WORKERS = k8s_cluster.POOL_WORKERS
# The EndpointSlice controller usually follows a selector change within tens of milliseconds;
# polls back off from the first interval to the last so a long wait does not load the API server.
VERIFY_POLL_SECONDS = (0.02, 0.2)
# The Lease outlives a run that is killed mid-way only by this margin over its longest wait.
LEASE_MARGIN_SECONDS = 60


class Interrupted(BaseException):
    """SIGTERM during the switch: unwinds like KeyboardInterrupt so the Services are put back."""


@dataclasses.dataclass
class SwitchState:
    """Everything a switch decides on, as read_state() found it; verification refreshes pod_labels."""

    specs: list  # the group's Services and their previews, as plan.service_specs() gives them
    services: dict  # Service name -> the Service as read
    current: dict  # Service name -> the color its selector is on
    plan: dict  # plan.plan_switch(): color, previous_color, switch, unchanged, mixed_before
    label: str  # the selector key that holds the color
    targets: dict  # Service name -> the selector it gets
    cluster: object  # the k8s/cluster.Cluster the state was read from
    workloads: dict  # the namespace's deployments and pods, as listed
    pod_labels: dict  # pod name -> labels, for the pods the EndpointSlices may name


def run(module, timer):
    params = module.params
    with timer.phase("validate"):
        specs = plan.service_specs(params["services"])
        label = plan.check_label_key(params["color_label"])
        namespace = required_namespace(params)
        group = plan.group_name(params.get("group"), [spec["name"] for spec in specs])
        change_id = params.get("change_id") or uuid.uuid4().hex
        cluster = k8s_cluster.Cluster(module, namespace)
        state = read_state(cluster, specs, label, params, cluster.by_name("services"), read_workloads(cluster))
    if state.plan["mixed_before"]:
        module.warn("The group was on mixed colors (%s), as after an interrupted switch; switching every Service "
                    "to %s" % (plan.describe_colors(state.current), state.plan["color"]))
    if not state.plan["switch"] or module.check_mode:
        return outcome(module, state, change_id, dry_run=True)
    with timer.phase("lock"):
        lock = LeaseLock(cluster.leases, namespace, group, "%s/%s" % (actor(), change_id),
                         lease_seconds(params)).acquire(params.get("lock_timeout") or 0)
    try:
        if lock.taken_over:
            module.warn("Took over the expired Lease %s of %s" % (lock.name, lock.taken_over))
        with timer.phase("validate"):
            # Another switch may have finished just before this one took the lock, or while it waited.
            workloads = read_workloads(cluster) if lock.contended else state.workloads
            state = read_state(cluster, specs, label, params, cluster.services(group_names(specs)), workloads)
        return outcome(module, state, change_id, dry_run=False, timer=timer)
    finally:
        lock.release()


def required_namespace(params):
    if not params.get("namespace"):
        raise InputError("namespace", params.get("namespace"), "give the namespace of the Services")
    return params["namespace"]


def actor():
    try:
        user = getpass.getuser()
    except Exception:  # pylint: disable=broad-except
        user = "unknown"
    return "%s@%s" % (user, socket.gethostname())


def lease_seconds(params):
    return (params.get("verify_timeout") or 0) + LEASE_MARGIN_SECONDS


def read_state(cluster, specs, label, params, services, workloads):
    """Everything a switch decides on; refuses when a Service is missing or a target is not ready."""
    missing = [spec["name"] for spec in specs if spec["name"] not in services]
    if missing:
        raise RunbookError("Service(s) %s not found in namespace %s; nothing was changed"
                           % (", ".join(missing), cluster.namespace), changed=False, missing=missing)
    current = dict((spec["name"], selector_of(services[spec["name"]]).get(label)) for spec in specs)
    recorded = dict((spec["name"], annotations_of(services[spec["name"]]).get(PREVIOUS)) for spec in specs)
    target = plan.resolve_color(params["color"], recorded)
    switch_plan = plan.plan_switch(current, target)
    targets = dict((spec["name"], dict(selector_of(services[spec["name"]]), **{label: target})) for spec in specs)
    check_targets(workloads["deployments"], workloads["pods"], targets, params.get("min_ready_endpoints"))
    return SwitchState(specs=specs, services=services, current=current, plan=switch_plan, label=label,
                       targets=targets, cluster=cluster, workloads=workloads,
                       pod_labels=labels_by_name(workloads["pods"]))


def read_workloads(cluster):
    return dict(deployments=cluster.list("deployments"), pods=cluster.list("pods"))


def group_names(specs):
    """The group's Services and their previews."""
    return sorted(set(name for spec in specs for name in (spec["name"], spec["preview"])))


def selector_of(obj):
    return (obj.get("spec") or {}).get("selector") or {}


def annotations_of(obj):
    return (obj.get("metadata") or {}).get("annotations") or {}


def matches(selector, labels):
    return bool(selector) and all((labels or {}).get(key) == value for key, value in selector.items())


def labels_by_name(pods):
    return dict((pod["metadata"]["name"], pod["metadata"].get("labels") or {}) for pod in pods)


def check_targets(deployments, pods, targets, min_ready):
    """Refuse unless each target selector matches a rolled-out Deployment and enough ready pods."""
    problems = []
    for name, selector in targets.items():
        problem = target_problem(selector, deployments, pods, min_ready)
        if problem:
            problems.append("%s: %s" % (name, problem))
    if problems:
        raise RunbookError("Refusing to switch; nothing was changed. %s" % "; ".join(problems), changed=False,
                           refused=problems)


def target_problem(selector, deployments, pods, min_ready):
    shown = ",".join("%s=%s" % item for item in sorted(selector.items()))
    matching = [d for d in deployments if matches(selector, template_labels(d))]
    if not matching:
        return "no Deployment's pods carry the target labels %s" % shown
    for deployment in matching:
        lag = rollout_lag(deployment)
        if lag:
            return "Deployment %s is not rolled out (%s)" % (deployment["metadata"]["name"], lag)
    wanted = min_ready if min_ready is not None else sum(desired(d) for d in matching)
    ready = len([pod for pod in pods if matches(selector, pod["metadata"].get("labels")) and pod_ready(pod)])
    if ready < max(wanted, 1):
        return "%d ready pod(s) match %s, %d needed (min_ready_endpoints)" % (ready, shown, max(wanted, 1))
    return None


def template_labels(deployment):
    return (((deployment.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {}


def desired(deployment):
    replicas = (deployment.get("spec") or {}).get("replicas")
    return 1 if replicas is None else replicas


def rollout_lag(deployment):
    status, wanted = deployment.get("status") or {}, desired(deployment)
    if (status.get("observedGeneration") or 0) < deployment["metadata"].get("generation", 0):
        return "the controller has not observed generation %s" % deployment["metadata"].get("generation")
    for field in ("updatedReplicas", "availableReplicas", "replicas"):
        if (status.get(field) or 0) != wanted:
            return "%s %s of %s" % (field, status.get(field) or 0, wanted)
    return None


def pod_ready(pod):
    if pod["metadata"].get("deletionTimestamp"):
        return False
    conditions = (pod.get("status") or {}).get("conditions") or []
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions)


def changes(state, change_id):
    """Per object to patch: the body, and the body that puts it back. Previews move to the idle color."""
    label, target = state.label, state.plan["color"]
    stamp = {PREVIOUS: None, RECORDED[1]: change_id, RECORDED[2]: iso_seconds(utc_now()), RECORDED[3]: actor()}
    result = {}
    for name in state.plan["switch"]:
        service = state.services[name]
        result[name] = patch_pair(service, label, target, dict(stamp, **{PREVIOUS: state.current[name]}))
    for spec in state.specs:
        preview = state.services.get(spec["preview"])
        idle = state.current[spec["name"]] if spec["name"] in result else None
        if preview and idle in COLORS and selector_of(preview).get(label) != idle and idle != target:
            result[spec["preview"]] = patch_pair(preview, label, idle, None)
    return result


def patch_pair(obj, label, color, annotations):
    forward = {"metadata": {"resourceVersion": obj["metadata"]["resourceVersion"]},
               "spec": {"selector": {label: color}}}
    backward = {"spec": {"selector": {label: selector_of(obj).get(label)}}}
    if annotations:
        forward["metadata"]["annotations"] = annotations
        before = annotations_of(obj)
        backward["metadata"] = {"annotations": dict((key, before.get(key)) for key in RECORDED)}
    return dict(forward=forward, backward=backward, before=selector_of(obj),
                after=dict(selector_of(obj), **{label: color}))


def outcome(module, state, change_id, dry_run, timer=None):
    pending = changes(state, change_id)
    if pending:
        if dry_run:
            patch_all(state.cluster, pending, Transaction(), dry_run=True)
        else:
            transaction(module, state, pending, timer)
    return result_of(module, state, change_id, pending)


def result_of(module, state, change_id, pending):
    switch_plan = state.plan
    services = [dict(name=spec["name"], before=state.current[spec["name"]], after=switch_plan["color"],
                     changed=spec["name"] in pending,
                     selector_before=selector_of(state.services[spec["name"]]),
                     selector_after=state.targets[spec["name"]],
                     preview=spec["preview"] if spec["preview"] in pending else None)
                for spec in state.specs]
    result = dict(changed=bool(pending), color=switch_plan["color"], previous_color=switch_plan["previous_color"],
                  change_id=change_id, switched=switch_plan["switch"], unchanged=switch_plan["unchanged"],
                  restored=[], mixed_before=switch_plan["mixed_before"], services=services)
    if module._diff:
        result["diff"] = dict(before=dict((name, change["before"]) for name, change in pending.items()),
                              after=dict((name, change["after"]) for name, change in pending.items()))
    return result


def patch_all(cluster, pending, ledger, dry_run=False):
    """Patch concurrently; every success goes into the ledger. Raises the first failure after all return."""
    def patch_one(name):
        cluster.patch(name, pending[name]["forward"], dry_run=dry_run)
        ledger.record(name)

    with ThreadPoolExecutor(max_workers=min(PATCH_WORKERS, len(pending))) as pool:
        futures = [(name, pool.submit(patch_one, name)) for name in pending]
    failures = [(name, future.exception()) for name, future in futures if future.exception()]
    if failures:
        failed = ", ".join("%s (%s)" % (name, describe_error(exc)) for name, exc in failures)
        if dry_run:
            raise RunbookError("The server-side dry run of patching %s failed; nothing was changed" % failed)
        raise RunbookError("Patching %s failed" % failed)


def transaction(module, state, pending, timer):
    """Patch and verify, or put back everything patched; SIGTERM and Ctrl-C unwind the same way."""
    ledger = Transaction()
    previous_handler = signal.signal(signal.SIGTERM, interrupt)
    try:
        try:
            with timer.phase("switch"):
                patch_all(state.cluster, pending, ledger)
            with timer.phase("verify"):
                verify(state, module.params.get("verify_timeout"))
        except (Exception, KeyboardInterrupt, Interrupted) as exc:  # pylint: disable=broad-except
            # Whatever broke, the Services already patched go back before the task fails.
            with timer.phase("restore"):
                ledger.rollback(lambda name: state.cluster.patch(name, pending[name]["backward"]))
            raise RunbookError(plan.rollback_message(ledger, failure_of(exc)), changed=bool(ledger.not_restored), color=None,
                               **plan.rollback_details(ledger))
    finally:
        signal.signal(signal.SIGTERM, previous_handler)


def failure_of(exc):
    if isinstance(exc, RunbookError):
        return exc.msg
    if isinstance(exc, (KeyboardInterrupt, Interrupted)):
        return "Interrupted (%s)" % type(exc).__name__
    return "The switch failed: %s" % k8s_errors.describe(exc)


def interrupt(signum, frame):
    raise Interrupted()


def verify(state, timeout):
    """Poll until each switched Service's EndpointSlices list only ready target-color pods."""
    cluster, names = state.cluster, state.plan["switch"]
    deadline = time.monotonic() + (60 if timeout is None else timeout)
    pause, longest = VERIFY_POLL_SECONDS
    while True:
        waiting = unverified(cluster, names, state)
        if not waiting:
            return
        if time.monotonic() >= deadline:
            raise RunbookError("Verification timed out after %ss: the endpoints of %s still include pods of "
                               "another color or no ready target pod" % (timeout, ", ".join(waiting)))
        time.sleep(pause)
        pause = min(pause * 1.5, longest)


def unverified(cluster, names, state):
    slices = {}
    for item in cluster.list("slices"):
        owner = (item["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
        slices.setdefault(owner, []).extend(item.get("endpoints") or [])
    pods = state.pod_labels
    if any(pod_name(endpoint) not in pods for name in names for endpoint in slices.get(name, [])):
        # A pod started since validation: its labels decide whether it may stay in the endpoints.
        pods = state.pod_labels = labels_by_name(cluster.list("pods"))
    return [name for name in names if not endpoints_on_target(slices.get(name, []), pods, state.targets[name])]


def pod_name(endpoint):
    return (endpoint.get("targetRef") or {}).get("name")


def endpoints_on_target(endpoints, pods, selector):
    ready = False
    for endpoint in endpoints:
        pod = pod_name(endpoint)
        if pod not in pods or not matches(selector, pods[pod]):
            return False
        ready = ready or (endpoint.get("conditions") or {}).get("ready") is not False
    return ready
