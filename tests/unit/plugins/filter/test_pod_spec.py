# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest
from ansible.errors import AnsibleFilterError

from ansible_collections.runbook.ops.plugins.filter.pod_spec import deployment_manifest, manifest_errors, pod_spec_errors

JUDGMENT = {"name": "judgment-service", "port": 8002, "tier": "critical", "strategy": "bluegreen", "replicas": 3}


def test_a_plain_service_gets_the_collections_deployment():
    manifest = deployment_manifest(JUDGMENT, "green", "v2.0.0", "judgify-prod", "version", "ghcr.io/judgify")
    assert manifest == {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "judgment-service-green", "namespace": "judgify-prod", "labels": {
            "app.kubernetes.io/name": "judgment-service", "version": "green", "app.kubernetes.io/version": "v2.0.0",
            "app.kubernetes.io/managed-by": "runbook.ops", "runbook.ops/tier": "critical"}},
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app.kubernetes.io/name": "judgment-service", "version": "green"}},
            "template": {
                "metadata": {"labels": {"app.kubernetes.io/name": "judgment-service", "version": "green",
                                        "app.kubernetes.io/version": "v2.0.0"}},
                "spec": {"containers": [{
                    "name": "judgment-service", "image": "ghcr.io/judgify/judgment-service:v2.0.0",
                    "ports": [{"containerPort": 8002}],
                    "env": [{"name": "RUNBOOK_COLOR", "value": "green"}, {"name": "RUNBOOK_RELEASE", "value": "v2.0.0"}],
                    "readinessProbe": {"httpGet": {"path": "/health", "port": 8002}, "periodSeconds": 5},
                    "livenessProbe": {"httpGet": {"path": "/health", "port": 8002}, "periodSeconds": 10,
                                      "failureThreshold": 3}}]}}}}


def test_a_rolling_service_has_no_color():
    manifest = deployment_manifest({"name": "workflow-service", "port": 8001}, "", "v2", "ns", "version", "r")
    assert manifest["metadata"]["name"] == "workflow-service"
    assert manifest["spec"]["selector"]["matchLabels"] == {"app.kubernetes.io/name": "workflow-service"}
    assert manifest["spec"]["replicas"] == 1
    assert manifest["spec"]["template"]["spec"]["containers"][0]["env"][0] == {"name": "RUNBOOK_COLOR", "value": ""}


def test_the_pod_of_a_real_service_carries_its_secrets_config_and_placement():
    service = dict(JUDGMENT, image="ghcr.io/judgify/judgment-service", container_port=8080, ready_path="/ready",
                   env={"DATABASE_URL": {"secret": "app-secrets", "key": "database-url"},
                        "OPENAI_API_KEY": {"secret": "app-secrets", "key": "openai-api-key", "optional": False},
                        "RULES_PATH": {"config_map": "judgment-config", "key": "rules-path"},
                        "POD_NAME": {"field": "metadata.name"}, "LOG_LEVEL": "info", "WORKERS": 4},
                   env_from=[{"config_map": "judgment-env"}, {"secret": "judgment-extra", "prefix": "X_"}],
                   image_pull_secrets=["ghcr-pull"], labels={"app": "judgment-service", "team": "judgment"},
                   annotations={"prometheus.io/scrape": "true"}, service_account="judgment",
                   security_context={"pod": {"runAsNonRoot": True}, "container": {"readOnlyRootFilesystem": True}},
                   node_selector={"pool": "api"}, tolerations=[{"key": "dedicated", "operator": "Exists"}],
                   topology_spread_constraints=[{"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone",
                                                 "whenUnsatisfiable": "ScheduleAnyway"}],
                   anti_affinity="required",
                   volumes=[{"name": "rules", "configMap": {"name": "judgment-config"}}],
                   volume_mounts=[{"name": "rules", "mountPath": "/etc/judgment"}],
                   probes={"readiness": {"initial_delay_seconds": 30}, "liveness": {"initial_delay_seconds": 30,
                                                                                    "timeout_seconds": 5}})
    template = deployment_manifest(service, "blue", "v2", "ns", "version", "r")["spec"]["template"]
    assert template["metadata"]["labels"] == {"app": "judgment-service", "team": "judgment",
                                              "app.kubernetes.io/name": "judgment-service", "version": "blue",
                                              "app.kubernetes.io/version": "v2"}
    assert template["metadata"]["annotations"] == {"prometheus.io/scrape": "true"}
    pod = template["spec"]
    assert pod["serviceAccountName"] == "judgment" and pod["imagePullSecrets"] == [{"name": "ghcr-pull"}]
    assert pod["securityContext"] == {"runAsNonRoot": True} and pod["nodeSelector"] == {"pool": "api"}
    assert pod["tolerations"][0]["key"] == "dedicated" and pod["topologySpreadConstraints"][0]["maxSkew"] == 1
    assert pod["volumes"] == [{"name": "rules", "configMap": {"name": "judgment-config"}}]
    assert pod["affinity"] == {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{
        "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "judgment-service"},
                          "matchExpressions": [{"key": "version", "operator": "NotIn", "values": ["blue"]}]},
        "topologyKey": "kubernetes.io/hostname"}]}}
    container, = pod["containers"]
    assert container["image"] == "ghcr.io/judgify/judgment-service:v2"
    assert container["env"][2:] == [
        {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"name": "app-secrets", "key": "database-url"}}},
        {"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "app-secrets", "key": "openai-api-key",
                                                                  "optional": False}}},
        {"name": "RULES_PATH", "valueFrom": {"configMapKeyRef": {"name": "judgment-config", "key": "rules-path"}}},
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": "LOG_LEVEL", "value": "info"}, {"name": "WORKERS", "value": "4"}]
    assert container["envFrom"] == [{"configMapRef": {"name": "judgment-env"}},
                                    {"secretRef": {"name": "judgment-extra"}, "prefix": "X_"}]
    assert container["securityContext"] == {"readOnlyRootFilesystem": True}
    assert container["volumeMounts"] == [{"name": "rules", "mountPath": "/etc/judgment"}]
    assert container["ports"] == [{"containerPort": 8080}]
    assert container["readinessProbe"] == {"httpGet": {"path": "/ready", "port": 8080}, "periodSeconds": 5,
                                           "initialDelaySeconds": 30}
    assert container["livenessProbe"] == {"httpGet": {"path": "/health", "port": 8080}, "periodSeconds": 10,
                                          "failureThreshold": 3, "initialDelaySeconds": 30, "timeoutSeconds": 5}
    assert pod_spec_errors([service], "version") == []


def test_preferred_anti_affinity_is_a_weighted_preference():
    pod = deployment_manifest(dict(JUDGMENT, anti_affinity="preferred"), "green", "v2", "ns", "version", "r")
    affinity = pod["spec"]["template"]["spec"]["affinity"]["podAntiAffinity"]
    preferred, = affinity["preferredDuringSchedulingIgnoredDuringExecution"]
    assert preferred["weight"] == 100
    assert preferred["podAffinityTerm"]["labelSelector"]["matchExpressions"][0]["values"] == ["green"]


def test_pod_spec_errors_name_the_service_and_the_setting():
    services = [
        dict(JUDGMENT, env={"JWT_SECRET": "hunter2", "DB_PASSWORD": "x", "OPENAI_API_KEY": "sk-1",
                            "DATABASE_URL": "postgres://u:p@h/db", "LOG_LEVEL": "info", "EMPTY_TOKEN": "",
                            "REF": {"secret": "s"}, "BOTH": {"secret": "s", "config_map": "c", "key": "k"}},
             labels={"app": "judgment-service", "version": "blue", "app.kubernetes.io/name": "other"},
             env_from=[{"secret": "a", "config_map": "b"}], anti_affinity="always",
             security_context={"node": {}}, probes={"startup": {}, "readiness": {"delay": 3}}),
        {"name": "bi-service", "port": 8007},
    ]
    assert pod_spec_errors(services, "version") == [
        "judgment-service: labels.app.kubernetes.io/name is the collection's own pod label "
        "(the selector and the release); leave it out",
        "judgment-service: labels.version is the collection's own pod label (the selector and the release); leave it out",
        "judgment-service: env.JWT_SECRET holds a value in clear; a credential comes from a Secret: "
        "JWT_SECRET: {secret: <secret name>, key: <key>}",
        "judgment-service: env.DB_PASSWORD holds a value in clear; a credential comes from a Secret: "
        "DB_PASSWORD: {secret: <secret name>, key: <key>}",
        "judgment-service: env.OPENAI_API_KEY holds a value in clear; a credential comes from a Secret: "
        "OPENAI_API_KEY: {secret: <secret name>, key: <key>}",
        "judgment-service: env.DATABASE_URL holds a value in clear; a credential comes from a Secret: "
        "DATABASE_URL: {secret: <secret name>, key: <key>}",
        "judgment-service: env.REF names the key of its secret",
        "judgment-service: env.BOTH names exactly one of secret, config_map or field",
        "judgment-service: env_from[0] names exactly one of secret or config_map",
        "judgment-service: anti_affinity is 'always'; use preferred or required",
        "judgment-service: security_context takes pod and container",
        "judgment-service: probes take readiness and liveness",
        "judgment-service: probes.readiness.delay is unknown; use failure_threshold, initial_delay_seconds, "
        "period_seconds, success_threshold, timeout_seconds",
    ]


def team_deployment(**changes):
    manifest = {
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "judgment-service", "labels": {"team": "judgment"}},
        "spec": {"replicas": 2, "strategy": {"type": "RollingUpdate"},
                 "selector": {"matchLabels": {"app.kubernetes.io/name": "judgment-service"}},
                 "template": {"metadata": {"labels": {"app": "judgment-service"}},
                              "spec": {"containers": [
                                  {"name": "app", "image": "ghcr.io/judgify/judgment-service:v2",
                                   "env": [{"name": "RUNBOOK_COLOR", "value": "stale"}, {"name": "MODE", "value": "x"}]},
                                  {"name": "sidecar", "image": "envoy:1"}]}}},
    }
    manifest.update(changes)
    return manifest


def test_a_team_manifest_is_colored_not_rebuilt():
    base = team_deployment()
    manifest = deployment_manifest(JUDGMENT, "green", "v2", "judgify-prod", "version", "r", base)
    assert manifest["metadata"]["name"] == "judgment-service-green"
    assert manifest["metadata"]["namespace"] == "judgify-prod"
    assert manifest["metadata"]["labels"] == {"team": "judgment", "app.kubernetes.io/name": "judgment-service",
                                              "version": "green", "app.kubernetes.io/version": "v2",
                                              "app.kubernetes.io/managed-by": "runbook.ops"}
    assert manifest["spec"]["selector"] == {"matchLabels": {"app.kubernetes.io/name": "judgment-service",
                                                            "version": "green"}}
    assert manifest["spec"]["replicas"] == 3 and manifest["spec"]["strategy"] == {"type": "RollingUpdate"}
    assert manifest["spec"]["template"]["metadata"]["labels"] == {
        "app": "judgment-service", "app.kubernetes.io/name": "judgment-service", "version": "green",
        "app.kubernetes.io/version": "v2"}
    app, sidecar = manifest["spec"]["template"]["spec"]["containers"]
    assert app["image"] == "ghcr.io/judgify/judgment-service:v2"
    assert app["env"] == [{"name": "RUNBOOK_COLOR", "value": "green"}, {"name": "RUNBOOK_RELEASE", "value": "v2"},
                          {"name": "MODE", "value": "x"}]
    assert sidecar["env"][0] == {"name": "RUNBOOK_COLOR", "value": "green"}
    # The team's dict is left as it was (the template is rendered once per color).
    assert base == team_deployment()


def test_a_team_manifest_keeps_its_replicas_when_the_entry_gives_none():
    manifest = deployment_manifest({"name": "judgment-service", "port": 8002}, "blue", "v2", "ns", "version", "r",
                                   team_deployment())
    assert manifest["spec"]["replicas"] == 2


def test_a_team_manifest_that_breaks_the_color_model_is_refused_naming_why():
    spec = team_deployment()["spec"]
    cases = [
        (team_deployment(kind="StatefulSet"), ["is not an apps/v1 Deployment"]),
        (team_deployment(metadata={"name": "judgment-service-blue"}),
         ["names the Deployment judgment-service-blue; name it judgment-service (or leave the name out): "
          "each color adds its suffix"]),
        (team_deployment(metadata={"namespace": "other"}), ["is in namespace other, not ns"]),
        (team_deployment(spec=dict(spec, selector={"matchLabels": {"app": "judgment-service"}})),
         ["selects pods by app=judgment-service; the selector is the collection's (app.kubernetes.io/name and "
          "version), put other labels on the pod template"]),
        (team_deployment(spec=dict(spec, selector={"matchLabels": {"app.kubernetes.io/name": "bi-service"}})),
         ["selects app.kubernetes.io/name=bi-service; the service is judgment-service"]),
        (team_deployment(spec=dict(spec, template={"metadata": {"labels": {"version": "blue"}},
                                                   "spec": {"containers": []}})),
         ["sets the pod label version, which the collection sets per color", "has no containers"]),
    ]
    for base, errors in cases:
        assert manifest_errors(base, JUDGMENT, "version", "ns") == errors
    with pytest.raises(AnsibleFilterError, match="judgment-service: manifest is not an apps/v1 Deployment"):
        deployment_manifest(JUDGMENT, "blue", "v2", "ns", "version", "r", {"kind": "Pod"})
