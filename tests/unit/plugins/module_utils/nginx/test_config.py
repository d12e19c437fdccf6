# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError

from ansible_collections.runbook.ops.plugins.module_utils.nginx import config


@pytest.mark.parametrize("argv, found", [
    (["nginx", "-t"], None),
    (["nginx", "-c", "/etc/nginx/nginx.conf", "-t"], (2, "/etc/nginx/nginx.conf")),
    (["nginx", "-p", "/srv/ngx", "-c", "conf/nginx.conf", "-t", "-q"], (4, "/srv/ngx/conf/nginx.conf")),
    (["nginx", "-c", "nginx.conf", "-t"], None),
    (["nginx", "-t", "-c"], None),
])
def test_main_config(argv, found):
    assert config.main_config(argv) == found


@pytest.mark.parametrize("text, moved", [
    ("include /etc/nginx/conf.d/*.conf;", "include /tmp/x/*.conf;"),
    ("include /etc/nginx/conf.d;", "include /tmp/x;"),
    ('include "/etc/nginx/conf.d/a.conf";', 'include "/tmp/x/a.conf";'),
    ("include /etc/nginx/conf.d2/*.conf;", "include /etc/nginx/conf.d2/*.conf;"),
    ("include mime.types;", "include mime.types;"),
])
def test_relocate_moves_whole_directories_only(text, moved):
    assert config.relocate(text, "/etc/nginx/conf.d", "/tmp/x") == moved
    assert config.mentions(text, "/etc/nginx/conf.d") == (text != moved)


def test_a_second_shift_of_the_file_is_refused_naming_the_holder(tmp_path):
    path = str(tmp_path / "upstreams.conf.lock")
    held = config.take_lock(path, 0, "first-change")
    try:
        with pytest.raises(RunbookError, match="change_id=first-change"):
            config.take_lock(path, 0.3, "second-change")
    finally:
        held.close()
    config.take_lock(path, 0, "third-change").close()


class ShadowModule:
    """Runs test_cmd by reading, in the configuration it names with -c, the files of the included directory."""

    check_mode = False

    def __init__(self, test_rc):
        self.test_rc, self.seen = test_rc, {}

    def run_command(self, argv):
        main = argv[argv.index("-c") + 1]
        with open(main) as handle:
            included = handle.read().split("include ")[1].split("/*.conf")[0]
        for name in sorted(os.listdir(included)):
            with open(os.path.join(included, name)) as handle:
                self.seen[name] = handle.read()
        return self.test_rc, "", "rejected" if self.test_rc else ""


@pytest.mark.parametrize("test_rc", [0, 1])
def test_changes_to_several_files_are_tested_together_in_a_copy(tmp_path, test_rc):
    conf_dir = tmp_path / "conf.d"
    conf_dir.mkdir()
    (tmp_path / "nginx.conf").write_text("include %s/*.conf;\n" % conf_dir)
    (conf_dir / "sites.conf").write_text("old sites\n")
    changes = [(str(conf_dir / "upstreams.conf"), None, "new upstreams\n"),
               (str(conf_dir / "sites.conf"), "old sites\n", "new sites\n")]
    module = ShadowModule(test_rc)
    rc, message = config.test_and_write_all(module, "nginx -c %s -t" % (tmp_path / "nginx.conf"), changes)
    assert (rc, module.seen) == (test_rc, {"sites.conf": "new sites\n", "upstreams.conf": "new upstreams\n"})
    written = dict((path, config.read(path)) for path, _before, _after in changes)
    expected = dict((path, after if test_rc == 0 else before) for path, before, after in changes)
    assert written == expected
    assert sorted(os.listdir(tmp_path)) == ["conf.d", "nginx.conf"]
