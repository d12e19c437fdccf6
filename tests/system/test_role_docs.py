"""Every role has a README whose variable reference matches its argument specs."""

import glob
import os
import subprocess
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_every_role_has_argument_specs_and_a_readme():
    roles = sorted(os.path.basename(p) for p in glob.glob(os.path.join(ROOT, "roles", "*")))
    assert roles
    for role in roles:
        assert os.path.exists(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml")), role
        assert os.path.exists(os.path.join(ROOT, "roles", role, "README.md")), role


def test_readmes_match_argument_specs():
    result = subprocess.run([sys.executable, os.path.join(ROOT, "tests", "tools", "role_readme.py"), "--check"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout
