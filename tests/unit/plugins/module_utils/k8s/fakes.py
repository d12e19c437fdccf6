# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""urllib3's pool and connection as the Kubernetes client's connection errors name them."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class Pool:
    scheme, host, port = "https", "127.0.0.1", 6443

    def __str__(self):
        return "HTTPSConnectionPool(host='127.0.0.1', port=6443)"


class Connection:
    def __str__(self):
        return "HTTPSConnection(host='127.0.0.1', port=6443)"
