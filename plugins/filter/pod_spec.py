# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

"""The Deployment of one color of a service, built from its inventory entry, and what is wrong in an entry.

The filters are documented in the .yml files of their names next to this one.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import re

from ansible.errors import AnsibleFilterError

NAME_LABEL = "app.kubernetes.io/name"
# Environment names that hold credentials; their values must come from a Secret, never the inventory.
SECRET_NAME = re.compile(r"passw|secret|token|api[-_]?key|private[-_]?key|credential|(^|_)key$|dsn$|database_url",
                         re.I)
ENV_SOURCES = {"secret": "secretKeyRef", "config_map": "configMapKeyRef"}
PROBE_KEYS = {"initial_delay_seconds": "initialDelaySeconds", "period_seconds": "periodSeconds",
              "timeout_seconds": "timeoutSeconds", "failure_threshold": "failureThreshold",
              "success_threshold": "successThreshold"}
PROBE_DEFAULTS = {"readiness": {"periodSeconds": 5}, "liveness": {"periodSeconds": 10, "failureThreshold": 3}}
ANTI_AFFINITY = ("preferred", "required")


def deployment_manifest(service, color, release, namespace, color_label, registry="", base=None):
    """The Deployment ``<service>-<color>`` (or ``<service>`` for a rolling service, ``color`` empty).

    ``base`` is the team's own Deployment (the service's ``manifest``, rendered): it is colored, not
    built, once ``manifest_errors`` finds nothing in it that breaks the color model.
    """
    if base is not None:
        return colored_manifest(base, service, color, release, namespace, color_label)
    selector = color_selector(service, color, color_label)
    pod_labels = dict(service.get("labels") or {}, **selector)
    pod_labels["app.kubernetes.io/version"] = release
    labels = dict(selector, **{"app.kubernetes.io/version": release, "app.kubernetes.io/managed-by": "runbook.ops",
                               "runbook.ops/tier": service.get("tier") or "supporting"})
    template_metadata = {"labels": pod_labels}
    if service.get("annotations"):
        template_metadata["annotations"] = dict(service["annotations"])
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": service["name"] + ("-" + color if color else ""), "namespace": namespace,
                     "labels": labels},
        "spec": {
            "replicas": service.get("replicas", 1),
            "selector": {"matchLabels": selector},
            "template": {"metadata": template_metadata, "spec": pod_spec(service, color, release, color_label, registry)},
        },
    }


def color_selector(service, color, color_label):
    """The labels a color's Deployment selects its pods by (the name alone for a rolling service)."""
    selector = {NAME_LABEL: service["name"]}
    if color:
        selector[color_label] = color
    return selector


def colored_manifest(base, service, color, release, namespace, color_label):
    """The team's Deployment with the collection's name, selector, color and release labels and env."""
    errors = manifest_errors(base, service, color_label, namespace)
    if errors:
        raise AnsibleFilterError("%s: manifest %s" % (service["name"], "; ".join(errors)))
    manifest = copy.deepcopy(base)
    selector = color_selector(service, color, color_label)
    release_label = {"app.kubernetes.io/version": release}
    metadata = manifest.setdefault("metadata", {})
    metadata.update(name=service["name"] + ("-" + color if color else ""), namespace=namespace)
    metadata["labels"] = dict(metadata.get("labels") or {}, **dict(selector, **release_label))
    metadata["labels"].setdefault("app.kubernetes.io/managed-by", "runbook.ops")
    spec = manifest["spec"]
    spec["replicas"] = service.get("replicas", spec.get("replicas", 1))
    spec["selector"] = {"matchLabels": selector}
    template = spec["template"]
    template_metadata = template.setdefault("metadata", {})
    template_metadata["labels"] = dict(template_metadata.get("labels") or {}, **dict(selector, **release_label))
    for item in template["spec"]["containers"]:
        item["env"] = [entry for entry in item.get("env") or [] if entry.get("name") not in ("RUNBOOK_COLOR", "RUNBOOK_RELEASE")]
        item["env"][:0] = [{"name": "RUNBOOK_COLOR", "value": color}, {"name": "RUNBOOK_RELEASE", "value": release}]
    return manifest


def manifest_errors(base, service, color_label, namespace=None):
    """What in a team's Deployment would break the color model: the name, selector and labels are ours."""
    if not isinstance(base, dict) or base.get("kind") != "Deployment" or base.get("apiVersion") != "apps/v1":
        return ["is not an apps/v1 Deployment"]
    errors = []
    metadata = base.get("metadata") or {}
    if metadata.get("name") not in (None, service["name"]):
        errors.append("names the Deployment %s; name it %s (or leave the name out): each color adds its suffix"
                      % (metadata["name"], service["name"]))
    if namespace and metadata.get("namespace") not in (None, namespace):
        errors.append("is in namespace %s, not %s" % (metadata["namespace"], namespace))
    spec = base.get("spec") or {}
    selector = spec.get("selector") or {}
    if selector.get("matchExpressions") or set(selector.get("matchLabels") or {}) - {NAME_LABEL}:
        errors.append("selects pods by %s; the selector is the collection's (%s and %s), put other labels on the "
                      "pod template" % (json_like(selector), NAME_LABEL, color_label))
    elif (selector.get("matchLabels") or {}).get(NAME_LABEL, service["name"]) != service["name"]:
        errors.append("selects %s=%s; the service is %s" % (NAME_LABEL, selector["matchLabels"][NAME_LABEL], service["name"]))
    template = spec.get("template") or {}
    for key in sorted(set((template.get("metadata") or {}).get("labels") or {}) & {NAME_LABEL, color_label}):
        errors.append("sets the pod label %s, which the collection sets per color" % key)
    if not ((template.get("spec") or {}).get("containers")):
        errors.append("has no containers")
    return errors


def json_like(value):
    return ", ".join("%s=%s" % item for item in sorted((value.get("matchLabels") or {}).items())) or "expressions"


def pod_spec(service, color, release, color_label, registry):
    spec = {"containers": [container(service, color, release, registry)]}
    optional = (("serviceAccountName", service.get("service_account")),
                ("imagePullSecrets", [{"name": name} for name in service.get("image_pull_secrets") or []]),
                ("securityContext", (service.get("security_context") or {}).get("pod")),
                ("nodeSelector", service.get("node_selector")),
                ("tolerations", service.get("tolerations")),
                ("topologySpreadConstraints", service.get("topology_spread_constraints")),
                ("affinity", anti_affinity(service, color, color_label)),
                ("volumes", service.get("volumes")))
    spec.update((key, value) for key, value in optional if value)
    return spec


def container(service, color, release, registry):
    port = service.get("container_port") or service["port"]
    image = service.get("image") or "%s/%s" % (registry, service["name"])
    health = service.get("health_path") or "/health"
    probes = service.get("probes") or {}
    spec = {
        "name": service["name"],
        "image": "%s:%s" % (image, release),
        "ports": [{"containerPort": port}],
        "env": [{"name": "RUNBOOK_COLOR", "value": color}, {"name": "RUNBOOK_RELEASE", "value": release}]
        + [env_var(name, value) for name, value in (service.get("env") or {}).items()],
        "readinessProbe": probe(service.get("ready_path") or health, port, "readiness", probes.get("readiness")),
        "livenessProbe": probe(health, port, "liveness", probes.get("liveness")),
    }
    optional = (("envFrom", [env_source(source) for source in service.get("env_from") or []]),
                ("resources", service.get("resources")),
                ("securityContext", (service.get("security_context") or {}).get("container")),
                ("volumeMounts", service.get("volume_mounts")))
    spec.update((key, value) for key, value in optional if value)
    return spec


def env_var(name, value):
    """One ``env`` entry: a literal, or ``{secret|config_map: NAME, key: KEY}`` / ``{field: PATH}`` by reference."""
    if not isinstance(value, dict):
        return {"name": str(name), "value": "" if value is None else str(value)}
    for kind, ref in ENV_SOURCES.items():
        if kind in value:
            source = {"name": value[kind], "key": value["key"]}
            if "optional" in value:
                source["optional"] = bool(value["optional"])
            return {"name": str(name), "valueFrom": {ref: source}}
    return {"name": str(name), "valueFrom": {"fieldRef": {"fieldPath": value["field"]}}}


def env_source(source):
    """One ``envFrom`` entry: every key of a Secret or ConfigMap, optionally prefixed."""
    kind = "secretRef" if "secret" in source else "configMapRef"
    entry = {kind: {"name": source.get("secret") or source.get("config_map")}}
    if source.get("prefix"):
        entry["prefix"] = source["prefix"]
    return entry


def probe(path, port, kind, timings):
    result = {"httpGet": {"path": path, "port": port}}
    result.update(PROBE_DEFAULTS[kind])
    result.update((PROBE_KEYS[key], value) for key, value in (timings or {}).items() if key in PROBE_KEYS)
    return result


def anti_affinity(service, color, color_label):
    """Keep this color's pods off the nodes running the service's other color (opt-in)."""
    mode = service.get("anti_affinity")
    if not mode or not color:
        return None
    term = {"labelSelector": {"matchLabels": {NAME_LABEL: service["name"]},
                              "matchExpressions": [{"key": color_label, "operator": "NotIn", "values": [color]}]},
            "topologyKey": "kubernetes.io/hostname"}
    if mode == "required":
        return {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]}}
    return {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 100, "podAffinityTerm": term}]}}


def pod_spec_errors(services, color_label):
    """What in the services' pod settings would break the color model or put a secret in the inventory."""
    errors = []
    for service in services:
        errors.extend("%s: %s" % (service.get("name"), error) for error in service_errors(service, color_label))
    return errors


def service_errors(service, color_label):
    for key in sorted(set(service.get("labels") or {}) & {NAME_LABEL, color_label, "app.kubernetes.io/version"}):
        yield "labels.%s is the collection's own pod label (the selector and the release); leave it out" % key
    for name, value in (service.get("env") or {}).items():
        yield from env_errors(name, value)
    for index, source in enumerate(service.get("env_from") or []):
        if not isinstance(source, dict) or len(set(source) & {"secret", "config_map"}) != 1:
            yield "env_from[%d] names exactly one of secret or config_map" % index
    if service.get("anti_affinity") not in (None, False) + ANTI_AFFINITY:
        yield "anti_affinity is %r; use preferred or required" % service.get("anti_affinity")
    if set(service.get("security_context") or {}) - {"pod", "container"}:
        yield "security_context takes pod and container"
    if set(service.get("probes") or {}) - set(PROBE_DEFAULTS):
        yield "probes take readiness and liveness"
    for kind, timings in (service.get("probes") or {}).items():
        for key in sorted(set(timings or {}) - set(PROBE_KEYS)):
            yield "probes.%s.%s is unknown; use %s" % (kind, key, ", ".join(sorted(PROBE_KEYS)))


def env_errors(name, value):
    if isinstance(value, dict):
        kinds = [kind for kind in ("secret", "config_map", "field") if kind in value]
        if len(kinds) != 1:
            yield "env.%s names exactly one of secret, config_map or field" % name
        elif kinds[0] != "field" and not value.get("key"):
            yield "env.%s names the key of its %s" % (name, kinds[0])
    elif SECRET_NAME.search(str(name)) and value not in (None, ""):
        yield ("env.%s holds a value in clear; a credential comes from a Secret: "
               "%s: {secret: <secret name>, key: <key>}" % (name, name))


class FilterModule(object):
    def filters(self):
        return {"deployment_manifest": deployment_manifest, "pod_spec_errors": pod_spec_errors,
                "manifest_errors": manifest_errors}
