# -*- coding: utf-8 -*-
# Copyright: runbook.ops contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import gzip
import io
import random

import pytest

from ansible_collections.runbook.ops.plugins.module_utils.errors import RunbookError
from ansible_collections.runbook.ops.plugins.module_utils.pg import verify

LIST = b""";
; Archive created at 2026-12-01 21:47:22 UTC
;     dbname: app
;     TOC Entries: 8
;     Dumped from database version: 15.18
;
; Selected TOC Entries:
;
214; 1259 16389 TABLE public t app
3345; 0 16389 TABLE DATA public t app
3201; 2606 16395 CONSTRAINT public t t_pkey app
"""

PLAIN = b"""--
-- PostgreSQL database dump
--

SET statement_timeout = 0;

--
-- Name: t; Type: TABLE; Schema: public; Owner: app
--

CREATE TABLE public.t (id integer, v text);

--
-- Data for Name: t; Type: TABLE DATA; Schema: public; Owner: app
--

COPY public.t (id, v) FROM stdin;
1\t-- Name: not at a line start
2\tx
\\.

--
-- Name: t t_pkey; Type: CONSTRAINT; Schema: public; Owner: app
--

--
-- PostgreSQL database dump complete
--

"""


def scan(data, chunk, gunzip=False):
    plain = verify.PlainScan(gunzip)
    for start in range(0, len(data), chunk):
        plain.feed(data[start:start + chunk])
    return plain.finish()


def test_list_identity_leaves_out_the_header():
    found = verify.identity_from_list(LIST)
    later = verify.identity_from_list(LIST.replace(b"21:47:22", b"23:59:59").replace(b"15.18", b"15.19"))
    assert found == later
    assert found["dump_dbname"] == "app" and found["toc_entries"] == 3


def test_list_identity_changes_with_an_entry():
    other = verify.identity_from_list(LIST.replace(b"16395", b"16396"))
    assert other["toc_digest"] != verify.identity_from_list(LIST)["toc_digest"]


@pytest.mark.parametrize("chunk", [1, 2, 5, 17, 64, 1 << 20])
def test_plain_scan_does_not_depend_on_chunking(chunk):
    found = scan(PLAIN, chunk)
    assert found == scan(PLAIN, len(PLAIN))
    assert found["toc_entries"] == 3 and found["dump_dbname"] is None


@pytest.mark.parametrize("chunk", [3, 1000])
def test_plain_scan_of_gzip(chunk):
    assert scan(gzip.compress(PLAIN), chunk, gunzip=True) == scan(PLAIN, 7)


def test_plain_scan_long_lines_are_hashed_up_to_the_limit_whatever_the_chunks():
    long_entry = b"-- Name: " + b"x" * (verify.LINE_LIMIT * 3) + b"\n"
    data = PLAIN.replace(b"-- Name: t; Type: TABLE; Schema: public; Owner: app\n", long_entry)
    assert scan(data, 5) == scan(data, 4099) == scan(data, len(data))
    assert scan(data, 5)["toc_digest"] != scan(PLAIN, 5)["toc_digest"]


def test_plain_scan_sees_an_added_entry():
    extra = PLAIN.replace(b"--\n-- PostgreSQL database dump complete",
                          b"--\n-- Name: u; Type: TABLE; Schema: public; Owner: app\n--\n"
                          b"--\n-- PostgreSQL database dump complete")
    assert scan(extra, 9)["toc_entries"] == 4


@pytest.mark.parametrize("data, gunzip, complaint", [
    (PLAIN[:len(PLAIN) // 2], False, "truncated"),
    (gzip.compress(PLAIN)[:-30], True, "truncated"),
    (b"\x1f\x8b\x08\x00garbage" * 10, True, "damaged"),
])
def test_plain_scan_refuses_broken_scripts(data, gunzip, complaint):
    with pytest.raises(RunbookError) as info:
        scan(data, 64, gunzip)
    assert complaint in info.value.msg


RECORDED = verify.identity_from_list(LIST)


def manifest(**identity):
    return {"database": "app", "identity": dict(RECORDED, system_identifier="1", **identity)}


def test_identity_matches():
    assert verify.check_identity(RECORDED, manifest(), "x.dump") == {"database": True, "toc": True}


def test_dump_of_another_database_is_refused_unless_allowed():
    other = dict(RECORDED, dump_dbname="other")
    with pytest.raises(RunbookError) as info:
        verify.check_identity(other, manifest(), "x.dump")
    assert "x.dump is a dump of database other, but its manifest says app" in info.value.msg
    assert verify.check_identity(other, manifest(), "x.dump", allow_other_database=True) == \
        {"database": False, "toc": True}


@pytest.mark.parametrize("change", [{"toc_digest": "sha256:" + "0" * 64}, {"toc_entries": 4}])
def test_another_table_of_contents_is_refused(change):
    with pytest.raises(RunbookError) as info:
        verify.check_identity(dict(RECORDED, **change), manifest(), "x.dump")
    assert "table of contents" in info.value.msg and "x.dump does not match its manifest" in info.value.msg


def test_version_1_manifest_compares_the_database_only():
    assert verify.check_identity(RECORDED, {"database": "app"}, "x.dump") == {"database": True, "toc": False}
    with pytest.raises(RunbookError):
        verify.check_identity(dict(RECORDED, dump_dbname="other"), {"database": "app"}, "x.dump")


def test_plain_identity_has_no_database_to_compare():
    plain = dict(RECORDED, dump_dbname=None)
    assert verify.check_identity(plain, manifest(dump_dbname=None), "x.sql") == {"database": False, "toc": True}


def test_row_counts_match_on_the_recorded_tables():
    recorded = {"row_counts": {"public.a": 3, "public.b": 0}}
    assert verify.check_row_counts(recorded, {"public.a": 3, "public.b": 0, "public.kept": 7}, "db") is True


@pytest.mark.parametrize("restored, table", [
    ({"public.a": 2, "public.b": 0}, "public.a 2, expected 3"),
    ({"public.a": 3}, "public.b None, expected 0"),
])
def test_row_count_differences_fail(restored, table):
    with pytest.raises(RunbookError) as info:
        verify.check_row_counts({"row_counts": {"public.a": 3, "public.b": 0}}, restored, "db")
    assert table in info.value.msg and "db" in info.value.msg


def test_no_recorded_counts_nothing_checked():
    assert verify.check_row_counts({}, {"public.a": 1}, "db") is False


def test_feed_lets_a_child_go_that_stopped_reading():
    class Closed:
        def __init__(self):
            self.stdin = self

        def write(self, data):
            raise BrokenPipeError(32, "Broken pipe")

    class Taking:
        def __init__(self):
            self.stdin = self
            self.got = b""

        def write(self, data):
            self.got += data

    closed, taking = Closed(), Taking()
    verify._feed(io.BytesIO(b"a" * 10), [closed, taking])
    assert taking.got == b"a" * 10


def reference_entries(data):
    return [line for line in data.split(b"\n") if line.startswith(verify.PLAIN_MARKERS)]


@pytest.mark.parametrize("seed", range(20))
def test_plain_scan_agrees_with_splitting_lines(seed):
    rand = random.Random(seed)
    pieces = [b"-- Name: a", b"-- Data for Name: b", b"-- Nam", b"x-- Name: c", b"", b"--", b"1\t-- Name: d",
              b"-- Name: " + b"e" * (verify.LINE_LIMIT + rand.randint(0, 9)), b"COPY x FROM stdin;"]
    body = b"\n".join(rand.choice(pieces) for _line in range(200))
    data = body + b"\n--\n-- PostgreSQL database dump complete\n--\n"
    expected = verify.EntryDigest()
    for line in reference_entries(data):
        expected.add(line)
    plain = verify.PlainScan(False)
    position = 0
    while position < len(data):
        size = rand.randint(1, 300)
        plain.feed(data[position:position + size])
        position += size
    assert plain.finish() == expected.identity(None)
