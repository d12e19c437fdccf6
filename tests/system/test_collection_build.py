"""The collection builds into a tarball that installs, and its content is documented."""

import glob
import json
import os
import subprocess
import tarfile

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    work = tmp_path_factory.mktemp("collection")
    subprocess.run(["ansible-galaxy", "collection", "build", "--output-path", str(work), ROOT],
                   check=True, capture_output=True, text=True)
    tarball = glob.glob(str(work / "runbook-ops-*.tar.gz"))
    assert len(tarball) == 1
    target = work / "installed"
    # kubernetes.core comes with the ansible package; no Galaxy server is reachable or needed.
    subprocess.run(["ansible-galaxy", "collection", "install", "--no-deps", "-p", str(target), tarball[0]],
                   check=True, capture_output=True, text=True)
    return tarball[0], target


def test_tarball_leaves_build_and_test_artefacts_out(installed):
    tarball = installed[0]
    with tarfile.open(tarball) as archive:
        names = archive.getnames()
    assert "MANIFEST.json" in names and "galaxy.yml" not in names
    assert not [n for n in names if n.startswith((".build", ".git/", "tests/output", "benchmarks"))]
    shipped = [os.path.relpath(path, ROOT) for path in glob.glob(os.path.join(ROOT, "roles", "*", "meta", "*.yml"))
               + glob.glob(os.path.join(ROOT, "playbooks", "*.yml"))]
    assert "roles/preflight/meta/argument_specs.yml" in shipped
    assert set(shipped) <= set(names)


def test_ansible_doc_lists_the_content(installed):
    target = installed[1]
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH="%s:%s" % (target, os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")))
    modules = sorted(n for n in os.listdir(os.path.join(ROOT, "plugins", "modules")) if n.endswith(".py"))
    listed = json.loads(subprocess.run(["ansible-doc", "-l", "runbook.ops", "--json"], env=env, check=True,
                                       capture_output=True, text=True).stdout)
    assert sorted(name.split(".")[-1] + ".py" for name in listed) == modules
    roles = json.loads(subprocess.run(["ansible-doc", "-t", "role", "-l", "runbook.ops", "--json"], env=env,
                                      check=True, capture_output=True, text=True).stdout)
    assert {"runbook.ops.preflight", "runbook.ops.deploy_idle", "runbook.ops.report"} <= set(roles)
    window = json.loads(subprocess.run(["ansible-doc", "-t", "filter", "runbook.ops.deployment_window", "--json"],
                                       env=env, check=True, capture_output=True, text=True).stdout)
    assert "runbook.ops.deployment_window" in window
