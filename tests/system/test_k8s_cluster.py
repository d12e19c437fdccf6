"""The local control plane is a real Kubernetes: controllers, scheduler, kwok nodes and RBAC."""

import time
import uuid

import pytest

kubernetes = pytest.importorskip("kubernetes")
from kubernetes.client.rest import ApiException  # noqa: E402


def client_for(kubeconfig):
    return kubernetes.config.new_client_from_config(config_file=kubeconfig)


@pytest.fixture
def admin(k8s):
    return client_for(k8s["K8S_AUTH_KUBECONFIG"])


@pytest.fixture
def namespace(admin):
    name = "proof-%s" % uuid.uuid4().hex[:8]
    core = kubernetes.client.CoreV1Api(admin)
    core.create_namespace({"metadata": {"name": name}})
    yield name
    core.delete_namespace(name)


def wait_for(predicate, timeout=90, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    pytest.fail("timed out waiting for %s" % what)


def deployment(name, replicas):
    labels = {"app.kubernetes.io/name": name}
    return {
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {"containers": [{"name": "app", "image": "demo:v1", "ports": [{"containerPort": 8080}]}]},
            },
        },
    }


def test_deployment_becomes_ready_with_endpoints(admin, namespace):
    apps = kubernetes.client.AppsV1Api(admin)
    core = kubernetes.client.CoreV1Api(admin)
    discovery = kubernetes.client.DiscoveryV1Api(admin)
    apps.create_namespaced_deployment(namespace, deployment("web", 2))
    core.create_namespaced_service(namespace, {
        "metadata": {"name": "web"},
        "spec": {"selector": {"app.kubernetes.io/name": "web"}, "ports": [{"port": 80, "targetPort": 8080}]},
    })

    wait_for(lambda: apps.read_namespaced_deployment("web", namespace).status.ready_replicas == 2,
             what="readyReplicas == 2")

    def ready_endpoints():
        slices = discovery.list_namespaced_endpoint_slice(
            namespace, label_selector="kubernetes.io/service-name=web").items
        return [e for s in slices for e in (s.endpoints or []) if e.conditions.ready]

    endpoints = wait_for(lambda: len(ready_endpoints()) == 2 and ready_endpoints(), what="2 ready endpoints")
    assert all(e.addresses[0].startswith("10.244.") for e in endpoints)
    pods = core.list_namespaced_pod(namespace).items
    assert {p.status.phase for p in pods} == {"Running"}


def test_restricted_user_is_denied_where_rbac_says(admin, namespace, k8s):
    rbac = kubernetes.client.RbacAuthorizationV1Api(admin)
    core = kubernetes.client.CoreV1Api(admin)
    core.create_namespaced_service(namespace, {
        "metadata": {"name": "open"}, "spec": {"selector": {"a": "b"}, "ports": [{"port": 80}]}})
    rbac.create_namespaced_role(namespace, {
        "metadata": {"name": "read-services"},
        "rules": [{"apiGroups": [""], "resources": ["services"], "verbs": ["get", "list"]}],
    })
    rbac.create_namespaced_role_binding(namespace, {
        "metadata": {"name": "read-services"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "read-services"},
        "subjects": [{"kind": "User", "name": "runbook-restricted", "apiGroup": "rbac.authorization.k8s.io"}],
    })
    restricted = kubernetes.client.CoreV1Api(client_for(k8s["RUNBOOK_RESTRICTED_KUBECONFIG"]))

    service = wait_for(lambda: _allowed(lambda: restricted.read_namespaced_service("open", namespace)),
                       what="the RoleBinding to take effect")
    assert service.metadata.name == "open"
    with pytest.raises(ApiException) as denied:
        restricted.patch_namespaced_service("open", namespace, {"spec": {"selector": {"a": "c"}}})
    assert denied.value.status == 403
    with pytest.raises(ApiException) as denied:
        restricted.list_namespaced_pod(namespace)
    assert denied.value.status == 403


def _allowed(call):
    try:
        return call()
    except ApiException as exc:
        if exc.status == 403:
            return None
        raise
