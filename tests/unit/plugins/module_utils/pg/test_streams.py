# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import io

from ansible_collections.runbook.ops.plugins.module_utils.pg import streams


class FakeSink:
    def __init__(self):
        self.data = b""
        self.state = "open"

    def write(self, data):
        self.data += data

    def commit(self):
        self.state = "committed"

    def abort(self, cause=None):
        self.state = "aborted"


def test_hashing_writer_counts_and_hashes():
    sink = FakeSink()
    writer = streams.HashingWriter(sink)
    writer.write(b"abc")
    writer.write(b"")
    assert writer.commit() == {
        "size": 3, "checksum": "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"}
    assert sink.state == "committed" and sink.data == b"abc"


def test_copy_stream_hands_on_every_byte_through_its_reused_buffer():
    payload = bytes(range(256)) * 4099  # not a multiple of the chunk
    sink = FakeSink()
    streams.copy_stream(io.BytesIO(payload), streams.HashingWriter(sink), chunk=65536)
    assert sink.data == payload
