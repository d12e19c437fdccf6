# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Streams of a backup: counted and hashed as they flow, copied through one reused buffer."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import hashlib

CHUNK = 1024 * 1024


class HashingWriter:
    """Counts and hashes what passes through, then hands it to ``sink``."""

    def __init__(self, sink):
        self._sink = sink
        self._hash = hashlib.sha256()
        self.size = 0

    def write(self, data):
        self._hash.update(data)
        self.size += len(data)
        self._sink.write(data)
        return len(data)

    @property
    def checksum(self):
        return "sha256:" + self._hash.hexdigest()

    def commit(self):
        self._sink.commit()
        return {"size": self.size, "checksum": self.checksum}

    def abort(self, cause=None):
        self._sink.abort(cause)


def copy_stream(source, writer, chunk=CHUNK):
    """Copies through one reused buffer; every writer copies or writes what it is given before returning."""
    buffer = bytearray(chunk)
    view = memoryview(buffer)
    while True:
        count = source.readinto(buffer)
        if not count:
            return
        writer.write(view[:count])
