"""Write env.sh and vars.json describing the running test systems (read from the environment)."""

import json
import os
import shlex
import sys

EXPORTED = (
    "KUBECONFIG", "K8S_AUTH_KUBECONFIG", "RUNBOOK_RESTRICTED_KUBECONFIG", "K8S_HOST", "K8S_CA_CERT", "KUBECTL",
    "RUNBOOK_K8S_EXTERNAL", "PGHOST", "PGPORT", "PGUSER", "PGPASSWORD", "PG_BINDIR", "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "S3_MIN_PART_SIZE", "NGINX_BIN",
    "NGINX_PORT", "NGINX_PREFIX", "NGINX_CONF_DIR", "NGINX_TEST_CMD", "NGINX_RELOAD_CMD",
)


def ansible_vars(env, repo_root):
    get = env.get
    return {
        "runbook_test_repo": repo_root,
        "runbook_test_demo_app": os.path.join(repo_root, "examples", "demo_app", "demo_app.py"),
        "runbook_test_kubeconfig": get("K8S_AUTH_KUBECONFIG"),
        "runbook_test_restricted_kubeconfig": get("RUNBOOK_RESTRICTED_KUBECONFIG"),
        "runbook_test_kubectl": get("KUBECTL"),
        "runbook_test_pg": {
            "host": get("PGHOST"), "port": int(get("PGPORT") or 0), "user": get("PGUSER"),
            "password": get("PGPASSWORD"), "bindir": get("PG_BINDIR"),
        },
        "runbook_test_s3": {
            "endpoint_url": get("AWS_ENDPOINT_URL"), "access_key": get("AWS_ACCESS_KEY_ID"),
            "secret_key": get("AWS_SECRET_ACCESS_KEY"), "region": get("AWS_DEFAULT_REGION"),
            "min_part_size": int(get("S3_MIN_PART_SIZE") or 0),
        },
        "runbook_test_nginx": {
            "bin": get("NGINX_BIN"), "port": int(get("NGINX_PORT") or 0), "prefix": get("NGINX_PREFIX"),
            "conf_dir": get("NGINX_CONF_DIR"), "test_cmd": get("NGINX_TEST_CMD"),
            "reload_cmd": get("NGINX_RELOAD_CMD"),
        },
    }


def main(state_root):
    env = {k: os.environ[k] for k in EXPORTED if os.environ.get(k)}
    repo_root = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
    with open(os.path.join(state_root, "env.sh"), "w") as handle:
        handle.write("".join("export %s=%s\n" % (k, shlex.quote(v)) for k, v in sorted(env.items())))
    with open(os.path.join(state_root, "vars.json"), "w") as handle:
        json.dump(ansible_vars(env, repo_root), handle, indent=2)
        handle.write("\n")
    os.chmod(os.path.join(state_root, "env.sh"), 0o600)
    os.chmod(os.path.join(state_root, "vars.json"), 0o600)


if __name__ == "__main__":
    main(sys.argv[1])
