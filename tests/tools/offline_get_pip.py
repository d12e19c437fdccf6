"""Stand-in for the get-pip.py bootstrap script that ansible-test downloads from its own host.

ansible-test runs this file as pip's entry point, with pip install arguments, inside a fresh
virtualenv created without pip. Only the package index is reachable from the test machines,
so pip comes from the interpreter's bundled ensurepip and is then upgraded from the index.
"""

import subprocess
import sys


def main():
    # In a child process: ensurepip disables pip's configuration (proxy CA, index) in its own
    # environment, which the install below needs.
    bootstrapped = subprocess.call([sys.executable, "-m", "ensurepip", "--upgrade"], stdout=subprocess.DEVNULL)
    if bootstrapped != 0:
        return bootstrapped
    args = [a for a in sys.argv[1:] if a not in ("--no-setuptools", "--no-wheel")]
    return subprocess.call([sys.executable, "-m", "pip", "install", "--upgrade"] + args)


if __name__ == "__main__":
    sys.exit(main())
