# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import fcntl
import os

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.nginx import config, formats
from ansible_collections.runbook.ops.plugins.module_utils.switch import nginx, nginx_upstream
from ansible_collections.runbook.ops.plugins.module_utils.timing import PhaseTimer
from ansible_collections.runbook.ops.tests.unit.plugins.module_utils.switch.fakes import FakeModule

A = {"name": "a", "blue": "10.0.0.1:80", "green": "10.0.0.2:80", "verify_url": "http://lb/a"}
B = {"name": "b", "blue": "10.0.1.1:80", "green": "10.0.1.2:80", "verify_url": "http://lb/b"}


@pytest.fixture
def upstream_file(tmp_path):
    return str(tmp_path / "upstreams.conf")


def params(path, color, services=(A, B), **more):
    return dict(dict(services=list(services), color=color, upstream_file=path, test_cmd="test -t",
                     reload_cmd="reload -s", lock_timeout=0, verify_timeout=0, change_id="c2"), **more)


def live(path, color, previous=None, services=(A, B)):
    text = formats.render(nginx_upstream.service_specs(list(services)), color, previous, "c1", "t")
    with open(path, "w") as handle:
        handle.write(text)
    return text


def answers(monkeypatch, colors):
    """verify_url answers: colors maps a URL to the color it answers (None: no answer)."""
    monkeypatch.setattr(nginx, "probe", lambda url: (colors.get(url), colors.get(url) or "refused"))


def read(path):
    with open(path) as handle:
        return handle.read()


def test_first_run_creates_the_file_and_records_no_previous(monkeypatch, upstream_file):
    answers(monkeypatch, {"http://lb/a": "blue", "http://lb/b": "blue"})
    module = FakeModule(params(upstream_file, "blue"))
    result = nginx.run(module, PhaseTimer())
    assert result["changed"] and result["switched"] == ["a", "b"] and result["previous_color"] is None
    assert formats.header(read(upstream_file))["previous"] is None
    assert module.commands == ["test", "reload"]
    assert result["diff"]["before"] == ""


@pytest.mark.parametrize("check_mode", [True, False])
def test_switch_records_the_previous_color(monkeypatch, upstream_file, check_mode):
    before = live(upstream_file, "blue")
    answers(monkeypatch, {"http://lb/a": "green", "http://lb/b": "green"})
    module = FakeModule(params(upstream_file, "green"), check_mode=check_mode)
    result = nginx.run(module, PhaseTimer())
    assert (result["changed"], result["color"], result["previous_color"]) == (True, "green", "blue")
    moves = [(service["name"], service["before"], service["after"]) for service in result["services"]]
    assert moves == [("a", "blue", "green"), ("b", "blue", "green")]
    if check_mode:
        assert read(upstream_file) == before and module.commands == ["test"]
    else:
        assert formats.header(read(upstream_file))["previous"] == "blue"
        assert module.commands == ["test", "reload"]


@pytest.mark.parametrize("file_color, file_previous, requested, target", [
    ("green", "blue", "previous", "blue"),
    ("blue", "green", "previous", "green"),
    ("blue", None, "green", "green"),
])
def test_target_color(monkeypatch, upstream_file, file_color, file_previous, requested, target):
    live(upstream_file, file_color, file_previous)
    answers(monkeypatch, {"http://lb/a": target, "http://lb/b": target})
    assert nginx.run(FakeModule(params(upstream_file, requested)), PhaseTimer())["color"] == target


@pytest.mark.parametrize("exists", [True, False])
def test_previous_without_a_recorded_switch_fails_clearly(upstream_file, exists):
    if exists:
        live(upstream_file, "blue")
    module = FakeModule(params(upstream_file, "previous"))
    with pytest.raises(RunbookError, match="no switch to go back to"):
        nginx.run(module, PhaseTimer())
    assert module.commands == []


@pytest.mark.parametrize("check_mode", [True, False])
def test_group_on_the_target_is_unchanged_and_disagreement_is_reported(monkeypatch, upstream_file, check_mode):
    before = live(upstream_file, "green", "blue")
    answers(monkeypatch, {"http://lb/a": "green", "http://lb/b": "blue"})
    module = FakeModule(params(upstream_file, "green"), check_mode=check_mode)
    result = nginx.run(module, PhaseTimer())
    assert not result["changed"] and result["unchanged"] == ["a", "b"] and result["verify_disagrees"] == ["b"]
    assert module.commands == [] and read(upstream_file) == before
    assert "verify_url answered blue" in module.warnings[0]


def test_mixed_group_is_reported_and_converged(monkeypatch, upstream_file):
    live(upstream_file, "blue", services=(A,))
    with open(upstream_file, "a") as handle:
        handle.write("upstream b {\n    server 10.0.1.2:80;\n}\n")
    answers(monkeypatch, {"http://lb/a": "green", "http://lb/b": "green"})
    module = FakeModule(params(upstream_file, "green"))
    result = nginx.run(module, PhaseTimer())
    assert result["mixed_before"] and result["switched"] == ["a"] and result["unchanged"] == ["b"]
    assert module.warnings == ["The group was on mixed colors (a=blue, b=green); switching every service to green"]


def test_rejected_candidate_leaves_the_file(upstream_file):
    before = live(upstream_file, "blue")
    module = FakeModule(params(upstream_file, "green"), test_rc=1)
    with pytest.raises(RunbookError, match="nginx rejected the new upstream file, so nothing changed") as caught:
        nginx.run(module, PhaseTimer())
    assert read(upstream_file) == before and module.commands == ["test"]
    assert caught.value.details["switched"] == [] and caught.value.details["changed"] is False


def test_failed_verify_restores_and_reloads(monkeypatch, upstream_file):
    before = live(upstream_file, "blue")
    answers(monkeypatch, {"http://lb/a": "green", "http://lb/b": None})
    module = FakeModule(params(upstream_file, "green"))
    with pytest.raises(RunbookError) as caught:
        nginx.run(module, PhaseTimer())
    assert read(upstream_file) == before and module.commands == ["test", "reload", "reload"]
    assert "b answered refused" in caught.value.msg and "restored: a, b" in caught.value.msg
    assert caught.value.details["restored"] == ["a", "b"] and caught.value.details["verify_failed"] == ["b"]


def test_failed_first_switch_removes_the_new_file(monkeypatch, upstream_file):
    answers(monkeypatch, {})
    with pytest.raises(RunbookError):
        nginx.run(FakeModule(params(upstream_file, "blue")), PhaseTimer())
    assert not os.path.exists(upstream_file)


def test_failed_reload_restores_and_says_what_is_not_restored(upstream_file):
    before = live(upstream_file, "blue")
    module = FakeModule(params(upstream_file, "green"), reload_rcs=(1,))
    with pytest.raises(RunbookError, match="nginx did not reload") as caught:
        nginx.run(module, PhaseTimer())
    assert read(upstream_file) == before
    assert caught.value.details["not_restored"] == ["a", "b"] and caught.value.details["restored"] == []


def test_held_lock_names_the_holder(upstream_file):
    with open(upstream_file + ".lock", "w") as holder:
        fcntl.flock(holder, fcntl.LOCK_EX)
        holder.write("pid=42 change_id=other\n")
        holder.flush()
        module = FakeModule(params(upstream_file, "blue"))
        with pytest.raises(RunbookError, match="pid=42 change_id=other"):
            nginx.run(module, PhaseTimer())
    assert module.commands == [] and not os.path.exists(upstream_file)


@pytest.mark.parametrize("path, fix", [(None, "set the path"), ("/nonexistent/dir/up.conf", "directory must exist")])
def test_bad_upstream_file(path, fix):
    with pytest.raises(InputError, match=fix):
        nginx.run(FakeModule(params(path, "blue")), PhaseTimer())


@pytest.mark.parametrize("answers_in_order, failures", [
    (["blue", "blue", "blue"], {}),
    (["green", "blue", "blue", "blue"], {}),
    (["blue", "green"], {"a": "green"}),
    ([None], {"a": "refused"}),
])
def test_verify_needs_consecutive_answers(monkeypatch, answers_in_order, failures):
    replies = list(answers_in_order)
    monkeypatch.setattr(nginx, "VERIFY_POLL_SECONDS", 0)
    monkeypatch.setattr(nginx, "probe", lambda url: (replies[0], replies.pop(0) or "refused") if len(replies) > 1
                        else (replies[0], replies[0] or "refused"))
    timeout = 0.2 if failures else 5
    assert nginx.verify([dict(A, upstream="a")], "blue", timeout) == failures


class ShadowModule(FakeModule):
    """test_cmd names a main configuration with -c; the test sees what that configuration includes."""

    def run_command(self, argv):
        if argv[0] != "nginx":
            return FakeModule.run_command(self, argv)
        main = argv[argv.index("-c") + 1]
        self.commands.append("test")
        with open(main) as handle:
            include_dir = handle.read().split("include ")[1].split("/*.conf")[0]
        self.tested = dict((name, read(os.path.join(include_dir, name))) for name in os.listdir(include_dir))
        self.tested_main = main
        return self.test_rc, "", "bad upstream in %s" % include_dir if self.test_rc else ""


@pytest.mark.parametrize("check_mode, test_rc", [(True, 0), (False, 0), (False, 1)])
def test_a_copy_of_the_configuration_is_tested_and_the_live_file_only_written_after(
        monkeypatch, tmp_path, check_mode, test_rc):
    conf_dir = tmp_path / "conf.d"
    conf_dir.mkdir()
    (conf_dir / "site.conf").write_text("server {}\n")
    main = tmp_path / "nginx.conf"
    main.write_text("http { include %s/*.conf; }\n" % conf_dir)
    path = str(conf_dir / "up.conf")
    before = live(path, "blue")
    answers(monkeypatch, {"http://lb/a": "green", "http://lb/b": "green"})
    module = ShadowModule(params(path, "green", test_cmd="nginx -c %s -t" % main), check_mode=check_mode,
                          test_rc=test_rc)
    try:
        nginx.run(module, PhaseTimer())
    except RunbookError as error:
        assert "bad upstream in %s" % conf_dir in error.msg
    assert module.tested_main != str(main) and module.tested["site.conf"] == "server {}\n"
    assert formats.header(module.tested["up.conf"])["color"] == "green"
    assert sorted(os.listdir(str(tmp_path))) == ["conf.d", "nginx.conf"]
    assert (read(path) == before) == (check_mode or test_rc != 0)


def test_without_room_for_a_copy_the_candidate_is_tested_in_place(monkeypatch, tmp_path):
    conf_dir = tmp_path / "conf.d"
    conf_dir.mkdir()
    main = tmp_path / "nginx.conf"
    main.write_text("http { include %s/*.conf; }\n" % conf_dir)
    path = str(conf_dir / "up.conf")
    before = live(path, "blue")

    def unwritable(**kwargs):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(config.tempfile, "mkdtemp", unwritable)
    module = ShadowModule(params(path, "green", test_cmd="nginx -c %s -t" % main), check_mode=True)
    nginx.run(module, PhaseTimer())
    assert module.tested_main == str(main) and formats.header(module.tested["up.conf"])["color"] == "green"
    assert read(path) == before


def test_a_real_switch_leaves_its_lock_file_naming_the_holder(monkeypatch, upstream_file):
    live(upstream_file, "blue")
    answers(monkeypatch, {"http://lb/a": "green", "http://lb/b": "green"})
    nginx.run(FakeModule(params(upstream_file, "green")), PhaseTimer())
    assert read(upstream_file + ".lock") == "pid=%d change_id=c2\n" % os.getpid()


@pytest.mark.parametrize("lock_before", [None, "pid=7 change_id=earlier\n"])
@pytest.mark.parametrize("color", ["green", "blue"])
def test_check_mode_neither_creates_nor_writes_the_lock_file(monkeypatch, upstream_file, lock_before, color):
    before = live(upstream_file, "blue")
    if lock_before is not None:
        with open(upstream_file + ".lock", "w") as handle:
            handle.write(lock_before)
    entries = sorted(os.listdir(os.path.dirname(upstream_file)))
    answers(monkeypatch, {"http://lb/a": "blue", "http://lb/b": "blue"})
    result = nginx.run(FakeModule(params(upstream_file, color), check_mode=True), PhaseTimer())
    assert result["changed"] == (color == "green")
    assert sorted(os.listdir(os.path.dirname(upstream_file))) == entries and read(upstream_file) == before
    if lock_before is not None:
        assert read(upstream_file + ".lock") == lock_before


def test_check_mode_waits_for_a_held_lock_and_names_the_holder(upstream_file):
    before = live(upstream_file, "blue")
    with open(upstream_file + ".lock", "w") as holder:
        holder.write("pid=42 change_id=other\n")
        holder.flush()
        fcntl.flock(holder, fcntl.LOCK_EX)
        module = FakeModule(params(upstream_file, "green"), check_mode=True)
        with pytest.raises(RunbookError, match="pid=42 change_id=other") as caught:
            nginx.run(module, PhaseTimer())
    assert caught.value.details["lock_holder"] == "pid=42 change_id=other"
    assert module.commands == [] and read(upstream_file) == before
    assert read(upstream_file + ".lock") == "pid=42 change_id=other\n"


def test_check_mode_reports_a_lock_file_it_cannot_open(upstream_file):
    live(upstream_file, "blue")
    os.mkdir(upstream_file + ".lock")
    with pytest.raises(RunbookError, match="Cannot open the lock"):
        nginx.run(FakeModule(params(upstream_file, "green"), check_mode=True), PhaseTimer())
