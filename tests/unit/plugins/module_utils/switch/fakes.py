# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A module for the nginx operations: commands recorded, test_cmd and reload_cmd answering as told."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class FakeModule:
    """Records commands; test_cmd and reload_cmd answer with the return codes given."""

    def __init__(self, params, check_mode=False, diff=True, test_rc=0, reload_rcs=(0,)):
        self.params = params
        self.check_mode = check_mode
        self._diff = diff
        self.test_rc = test_rc
        self.reload_rcs = list(reload_rcs)
        self.commands = []
        self.warnings = []

    def run_command(self, argv):
        self.commands.append(argv[0])
        if argv[0] == "test":
            return self.test_rc, "", "bad upstream" if self.test_rc else ""
        return (self.reload_rcs.pop(0) if len(self.reload_rcs) > 1 else self.reload_rcs[0]), "", "no master"

    def warn(self, msg):
        self.warnings.append(msg)
