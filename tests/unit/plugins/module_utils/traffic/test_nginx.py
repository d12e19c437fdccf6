# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.timing import PhaseTimer
from ansible_collections.runbook.ops.plugins.module_utils.nginx import config, formats
from ansible_collections.runbook.ops.plugins.module_utils.traffic import nginx_router

TARGETS = [{"name": "bi", "stable": "10.0.0.1:80", "canary": "10.0.0.2:80"}]


@pytest.mark.parametrize("options, text, resolved", [
    ({"weight": 10, "previous": False}, None, (10, None)),
    ({"weight": 50, "previous": False}, "# runbook.ops weight=10 previous=0 change_id=x\n", (50, 10)),
    ({"weight": None, "previous": True}, "# runbook.ops weight=50 previous=10 change_id=x\n", (10, 50)),
])
def test_resolve(options, text, resolved):
    assert nginx_router.resolve(dict(options, upstream_file="f"), text) == resolved


def test_previous_without_a_record_is_refused():
    with pytest.raises(RunbookError, match="records no previous weight"):
        nginx_router.resolve({"weight": None, "previous": True, "upstream_file": "f"}, None)


class FakeModule:
    def __init__(self, check_mode, test_rc=0):
        self.check_mode = check_mode
        self.test_rc = test_rc
        self.commands = []

    def run_command(self, argv):
        self.commands.append(argv[0])
        return (self.test_rc if argv[0] == "test" else 0), "", "bad upstream" if self.test_rc else ""


def shift_params(path, weight):
    return {"upstream_file": path, "lock_timeout": 0, "change_id": "c2", "weight": weight, "previous": False,
            "test_cmd": "test -t", "reload_cmd": "reload -s"}


@pytest.mark.parametrize("lock_before", [None, "pid=7 change_id=earlier\n"])
@pytest.mark.parametrize("test_rc", [0, 1])
def test_check_mode_leaves_the_directory_and_the_lock_file_as_they_were(tmp_path, lock_before, test_rc):
    path = str(tmp_path / "upstreams.conf")
    before = formats.render_weighted(TARGETS, 0, None, "c1")
    (tmp_path / "upstreams.conf").write_text(before)
    if lock_before is not None:
        (tmp_path / "upstreams.conf.lock").write_text(lock_before)
    entries = sorted(p.name for p in tmp_path.iterdir())
    module = FakeModule(check_mode=True, test_rc=test_rc)
    if test_rc:
        with pytest.raises(RunbookError, match="nginx rejected"):
            nginx_router.run(module, shift_params(path, 10), TARGETS, PhaseTimer())
    else:
        result = nginx_router.run(module, shift_params(path, 10), TARGETS, PhaseTimer())
        assert result["changed"] and result["weight"] == 10 and result["diff"]["before"] == before
    assert module.commands == ["test"]
    assert sorted(p.name for p in tmp_path.iterdir()) == entries
    assert (tmp_path / "upstreams.conf").read_text() == before
    if lock_before is not None:
        assert (tmp_path / "upstreams.conf.lock").read_text() == lock_before


def test_check_mode_is_refused_by_a_shift_in_progress(tmp_path):
    path = str(tmp_path / "upstreams.conf")
    held = config.take_lock(path + ".lock", 0, "first-change")
    try:
        with pytest.raises(RunbookError, match="change_id=first-change"):
            nginx_router.run(FakeModule(check_mode=True), shift_params(path, 10), TARGETS, PhaseTimer())
    finally:
        held.close()


def test_a_real_shift_writes_its_lock_file(tmp_path):
    path = str(tmp_path / "upstreams.conf")
    module = FakeModule(check_mode=False)
    assert nginx_router.run(module, shift_params(path, 10), TARGETS, PhaseTimer())["changed"]
    assert module.commands == ["test", "reload"]
    assert (tmp_path / "upstreams.conf.lock").read_text().endswith(" change_id=c2\n")


def test_the_router_refuses_a_group_without_an_upstream_file():
    with pytest.raises(InputError, match="upstream_file"):
        nginx_router.NginxRouter(FakeModule(check_mode=False), shift_params(None, 10))


def test_the_router_shifts_the_whole_file_at_once(tmp_path):
    path = str(tmp_path / "upstreams.conf")
    router = nginx_router.NginxRouter(FakeModule(check_mode=False), shift_params(path, 10))
    result = router.shift(TARGETS, shift_params(path, 10), PhaseTimer())
    assert result["shifted"] == ["bi"] and result["diff"]["after"] == (tmp_path / "upstreams.conf").read_text()
