# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import InputError, RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.nginx import config, formats
from ansible_collections.runbook.ops.plugins.module_utils.switch import nginx_servers
from ansible_collections.runbook.ops.plugins.module_utils.timing import PhaseTimer
from ansible_collections.runbook.ops.tests.unit.plugins.module_utils.switch.fakes import FakeModule

A = {"name": "a", "blue": "10.0.0.1:80", "green": "10.0.0.2:80", "verify_url": "http://lb:81/a", "listen": "lb:81"}
B = {"name": "b", "blue": "10.0.1.1:80", "green": "10.0.1.2:80", "verify_url": "http://lb:82/b", "listen": "lb:82"}


@pytest.fixture
def files(tmp_path):
    return dict(upstream_file=str(tmp_path / "upstreams.conf"), sites_file=str(tmp_path / "sites.conf"))


def params(files, color="green", services=(A, B), **more):
    return dict(dict(services=[dict(service) for service in services], color=color, test_cmd="test -t",
                     reload_cmd="reload -s", lock_timeout=0, change_id="c1", **files), **more)


def contents(files):
    return dict((key, config.read(path)) for key, path in files.items())


def test_a_group_never_published_gets_its_servers_and_its_first_color(files):
    module = FakeModule(params(files))
    result = nginx_servers.run(module, PhaseTimer())
    assert result["changed"] and result["first_publication"]
    assert result["written"] == [files["upstream_file"], files["sites_file"]]
    upstreams = config.read(files["upstream_file"])
    assert formats.header(upstreams)["color"] == "green" and formats.header(upstreams)["previous"] is None
    assert formats.servers(upstreams) == {"a": "10.0.0.2:80", "b": "10.0.1.2:80"}
    sites = config.read(files["sites_file"])
    assert "listen lb:81;" in sites and "proxy_pass http://b;" in sites
    assert module.commands == ["test", "reload"]
    assert [entry["before"] for entry in result["diff"]] == ["", ""]


def test_the_second_run_changes_nothing_and_runs_nothing(files):
    nginx_servers.run(FakeModule(params(files)), PhaseTimer())
    module = FakeModule(params(files, color="blue"))
    result = nginx_servers.run(module, PhaseTimer())
    assert not result["changed"] and result["written"] == [] and result["diff"] == []
    assert module.commands == []


def test_an_upstream_file_that_exists_is_the_switchs_and_is_left_alone(files):
    with open(files["upstream_file"], "w") as handle:
        handle.write("# edited\n")
    result = nginx_servers.run(FakeModule(params(files)), PhaseTimer())
    assert result["written"] == [files["sites_file"]] and not result["first_publication"]
    assert config.read(files["upstream_file"]) == "# edited\n"


@pytest.mark.parametrize("sites_before", [None, "# the previous servers\n"])
def test_a_rejected_change_puts_every_file_back(files, sites_before):
    if sites_before:
        with open(files["sites_file"], "w") as handle:
            handle.write(sites_before)
    module = FakeModule(params(files), test_rc=1)
    with pytest.raises(RunbookError, match="nginx rejected the servers of the group, so nothing changed") as raised:
        nginx_servers.run(module, PhaseTimer())
    assert contents(files) == dict(upstream_file=None, sites_file=sites_before)
    assert raised.value.details["changed"] is False and raised.value.details["written"] == []
    assert module.commands == ["test"]


@pytest.mark.parametrize("reload_rcs, changed, said", [
    ((1, 0), False, "put .* back as before and reloaded nginx$"),
    ((1, 1), True, "nginx did not reload after that either"),
])
def test_a_failed_reload_puts_every_file_back(files, reload_rcs, changed, said):
    module = FakeModule(params(files), reload_rcs=reload_rcs)
    with pytest.raises(RunbookError, match=said) as raised:
        nginx_servers.run(module, PhaseTimer())
    assert contents(files) == dict(upstream_file=None, sites_file=None)
    assert raised.value.details["changed"] is changed
    assert module.commands == ["test", "reload", "reload"]


def test_check_mode_tests_the_change_and_writes_nothing(files):
    module = FakeModule(params(files), check_mode=True)
    result = nginx_servers.run(module, PhaseTimer())
    assert result["changed"] and len(result["written"]) == 2
    assert os.listdir(os.path.dirname(files["sites_file"])) == []
    assert module.commands == ["test"]


def test_a_switch_in_progress_keeps_it_out(files):
    held = config.take_lock(files["upstream_file"] + ".lock", 0, "the-switch")
    try:
        with pytest.raises(RunbookError, match="holds the lock .*change_id=the-switch"):
            nginx_servers.run(FakeModule(params(files)), PhaseTimer())
    finally:
        held.close()
    assert contents(files) == dict(upstream_file=None, sites_file=None)


@pytest.mark.parametrize("change, field", [
    (dict(services=[dict(A, listen=None)]), "services[0].listen"),
    (dict(services=[dict(A, listen="lb:81; include /etc/passwd")]), "services[0].listen"),
    (dict(services=[A, dict(B, listen="lb:81")]), "services"),
    (dict(services=[dict(A, blue=A["green"])]), "services[0].green"),
])
def test_bad_services_are_refused_before_anything_is_touched(files, change, field):
    module = FakeModule(dict(params(files), **change))
    with pytest.raises(InputError) as raised:
        nginx_servers.run(module, PhaseTimer())
    assert raised.value.details["option"] == field
    assert module.commands == [] and os.listdir(os.path.dirname(files["sites_file"])) == []


def test_the_servers_file_cannot_be_the_upstream_file(files):
    module = FakeModule(params(files, sites_file=files["upstream_file"]))
    with pytest.raises(InputError, match="a file of its own"):
        nginx_servers.run(module, PhaseTimer())
