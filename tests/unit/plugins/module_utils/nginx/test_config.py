# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

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
