"""Print a pip.conf carrying the PIP_* settings of this environment (index, proxy CA, links)."""

import os

SKIP = {"PIP_BREAK_SYSTEM_PACKAGES", "PIP_DISABLE_PIP_VERSION_CHECK", "PIP_REQUIRE_VIRTUALENV"}


def pip_conf(environ):
    lines = ["[global]"]
    for name in sorted(environ):
        if name.startswith("PIP_") and name not in SKIP and environ[name]:
            lines.append("%s = %s" % (name[4:].lower().replace("_", "-"), environ[name]))
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(pip_conf(os.environ), end="")
