"""pg_backup against pg_dump to a file (the floor) and the runbook's dump-then-upload, with peak memory.

Two pgbench databases, about 100 MiB and 1 GiB, their filler column filled so dumps do not compress
50-fold (created once, kept between runs). In the same run:
  local: pg_backup (custom format, compression 1) to a directory vs `pg_dump -Fc -Z1 > file`
  S3:    pg_backup streaming to the moto S3 server vs the runbook's two passes, pg_dump to a file
         and then a boto3 upload of it: once on loopback, then through links of 16, 32 and 64 MiB/s
         (benchmarks/_link.py; BENCH_LINK_MIBPS=16,32 sets others), as a network's bandwidth bounds
         real uploads. A stream gains most where dumping and uploading take about as long; where one
         dominates, no stream beats max(dump, upload) / (dump + upload), printed next to each ratio
  memory: peak RSS of the module's process (pg_dump runs in its own) for both sizes
Targets: local <= 1.1x the floor; S3 <= 0.7x the two passes; peak RSS < 200 MiB and within 20 %
between the two sizes. The module runs as Ansible runs it on a host: one Python process.
Needs the test systems (bash tests/infra/infra.sh start) and the staged collection.
"""

import json
import os
import subprocess
import sys
import tempfile

import _bench
import _link

DATABASES = (("bench_100mib", 7), ("bench_1gib", 68))
BUCKET = "runbook-bench"
# 16 MiB/s (134 Mbit/s): a bucket in another region or off site; 64 MiB/s: a bucket nearby.
LINK_RATES = tuple(int(rate) for rate in os.environ.get("BENCH_LINK_MIBPS", "16,32,64").split(","))
FLOOR = "pg_dump -Fc -Z1 > file (floor)"

# Runs the module in this interpreter like AnsiballZ would, then reports its peak RSS on stderr.
MODULE_RUNNER = """
import atexit, runpy, sys
def peak():
    with open('/proc/self/status') as status:
        sys.stderr.write([line for line in status if line.startswith('VmHWM')][0])
atexit.register(peak)
runpy.run_module('ansible_collections.runbook.ops.plugins.modules.pg_backup', run_name='__main__')
"""


def test_systems():
    with open(os.path.join(_bench.INFRA, "vars.json")) as handle:
        test_vars = json.load(handle)
    return test_vars["runbook_test_pg"], test_vars["runbook_test_s3"]


def pg_env(pg):
    return dict(os.environ, PGHOST=pg["host"], PGPORT=str(pg["port"]), PGUSER=pg["user"], PGPASSWORD=pg["password"])


def psql(pg, database, sql):
    return subprocess.run([os.path.join(pg["bindir"], "psql"), "-At", "-v", "ON_ERROR_STOP=1", "-d", database,
                           "-c", sql], env=pg_env(pg), capture_output=True, text=True, check=True).stdout.strip()


def ensure_database(pg, name, scale):
    """Create a pgbench database of ``scale`` unless one exists already; return its size in bytes."""
    if not psql(pg, "postgres", "SELECT 1 FROM pg_database WHERE datname = '%s'" % name):
        subprocess.run([os.path.join(pg["bindir"], "createdb"), name], env=pg_env(pg), check=True)
        subprocess.run([os.path.join(pg["bindir"], "pgbench"), "-i", "-q", "-s", str(scale), name], env=pg_env(pg),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    fill_accounts(pg, name)
    return int(psql(pg, name, "SELECT pg_database_size(current_database())"))


def fill_accounts(pg, name):
    """pgbench leaves its filler column blank, so a dump compresses 50-fold; real rows carry data."""
    if psql(pg, name, "SELECT length(trim(filler)) FROM pgbench_accounts WHERE aid = 1") in ("", "0"):
        psql(pg, name, "UPDATE pgbench_accounts SET filler = md5(aid::text) || md5((aid * 7)::text)")
        psql(pg, name, "VACUUM FULL pgbench_accounts")


def pg_dump_to_file(pg, database, path):
    with open(path, "wb") as output:
        subprocess.run([os.path.join(pg["bindir"], "pg_dump"), "-Fc", "-Z1", database], env=pg_env(pg),
                       stdout=output, check=True)


def s3_client(s3):
    import boto3
    return boto3.client("s3", endpoint_url=s3["endpoint_url"], aws_access_key_id=s3["access_key"],
                        aws_secret_access_key=s3["secret_key"], region_name=s3["region"])


def two_pass_s3(pg, s3, database, path):
    pg_dump_to_file(pg, database, path)
    client = s3_client(s3)
    client.upload_file(path, BUCKET, "two-pass/%s.dump" % database)
    os.unlink(path)


def run_module(pg, s3, database, destination, workdir):
    """Run pg_backup once; return its peak RSS in MiB."""
    args = {"host": pg["host"], "port": pg["port"], "user": pg["user"], "password": pg["password"],
            "database": database, "destination": destination, "format": "custom", "compression": "1",
            "verify": "none", "bin_dir": pg["bindir"]}
    if destination.startswith("s3://"):
        args.update(endpoint_url=s3["endpoint_url"], aws_access_key=s3["access_key"],
                    aws_secret_key=s3["secret_key"], region=s3["region"])
    path = os.path.join(workdir, "args.json")
    with open(path, "w") as handle:
        json.dump({"ANSIBLE_MODULE_ARGS": args}, handle)
    env = dict(os.environ, PYTHONPATH=_bench.COLLECTIONS)
    run = subprocess.run([sys.executable, "-c", MODULE_RUNNER, path], env=env, capture_output=True, text=True,
                         check=False)
    result = json.loads(run.stdout)
    if result.get("failed"):
        sys.exit("pg_backup failed: %s" % result.get("msg"))
    return int(run.stderr.split()[-2]) / 1024.0


def empty_bucket(s3):
    """Delete what the runs uploaded, so the S3 server does not keep gigabytes between runs."""
    client = s3_client(s3)
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=BUCKET):
        for item in page.get("Contents", []):
            client.delete_object(Bucket=BUCKET, Key=item["Key"])


def create_bucket(s3):
    client = s3_client(s3)
    if BUCKET not in [bucket["Name"] for bucket in client.list_buckets()["Buckets"]]:
        client.create_bucket(Bucket=BUCKET)


def over_the_link(s3, mibps):
    """The S3 settings with the endpoint behind a link of ``mibps`` to the same server."""
    host, port = s3["endpoint_url"].split("//", 1)[1].rsplit(":", 1)
    link = _link.ThrottledLink(host, int(port), mibps * 1048576)
    return dict(s3, endpoint_url=link.url)


def two_pass_row(mibps):
    return "runbook, upload over %d MiB/s" % mibps


def stream_row(mibps):
    return "pg_backup streaming over %d MiB/s" % mibps


def measure(pg, s3, links, database, workdir, rss):
    dump = os.path.join(workdir, "dump")
    backups = os.path.join(workdir, "backups")
    stream = "s3://%s/bench/" % BUCKET
    floor = _bench.timed(lambda: pg_dump_to_file(pg, database, dump), 1)
    dump_mib = os.path.getsize(dump) / 1048576.0
    rows = [
        (FLOOR, floor),
        ("pg_backup to a directory", _bench.timed(lambda: rss.append(run_module(pg, s3, database, backups, workdir)), 1)),
        ("runbook: pg_dump to file, then upload", _bench.timed(lambda: two_pass_s3(pg, s3, database, dump), 1)),
        ("pg_backup streaming to S3", _bench.timed(lambda: rss.append(run_module(pg, s3, database, stream, workdir)), 1)),
    ]
    for mibps, s3_link in links.items():
        rows.append((two_pass_row(mibps),
                     _bench.timed(lambda link=s3_link: two_pass_s3(pg, link, database, dump), 1)))
        rows.append((stream_row(mibps),
                     _bench.timed(lambda link=s3_link: rss.append(run_module(pg, link, database, stream, workdir)), 1)))
        empty_bucket(s3)
    return rows, dump_mib


def best_stream_ratio(seconds, mibps):
    """max(dump, upload) / (dump + upload): a stream overlaps the two passes at best."""
    dump = seconds[FLOOR]
    upload = seconds[two_pass_row(mibps)] - dump
    return max(dump, upload) / (dump + upload)


def main():
    _bench.use_collection()
    pg, s3 = test_systems()
    create_bucket(s3)
    links = dict((mibps, over_the_link(s3, mibps)) for mibps in LINK_RATES)
    peaks = {}
    with tempfile.TemporaryDirectory() as workdir:
        for database, scale in DATABASES:
            size = ensure_database(pg, database, scale)
            rss = []
            rows, dump_mib = measure(pg, s3, links, database, workdir, rss)
            empty_bucket(s3)
            seconds = dict(rows)
            peaks[database] = max(rss)
            _bench.print_table("pg_backup: %s (%.0f MiB on disk, %.0f MiB dump made at %.1f MiB/s)" % (
                database, size / 1048576.0, dump_mib, dump_mib / seconds[FLOOR]),
                rows, FLOOR)
            print("  local vs floor: %.2fx (target <= 1.1x)" % (
                seconds["pg_backup to a directory"] / seconds[FLOOR]))
            print("  S3 stream vs two passes, loopback: %.2fx" % (
                seconds["pg_backup streaming to S3"] / seconds["runbook: pg_dump to file, then upload"]))
            for mibps in LINK_RATES:
                print("  S3 stream vs two passes, %d MiB/s link: %.2fx (target <= 0.7x; no stream can beat %.2fx "
                      "here)" % (mibps, seconds[stream_row(mibps)] / seconds[two_pass_row(mibps)],
                                 best_stream_ratio(seconds, mibps)))
            print("  peak RSS of the module: %.1f MiB (target < 200 MiB)" % peaks[database])
    small, large = (peaks[name] for name, _scale in DATABASES)
    print("peak RSS, 1 GiB vs 100 MiB database: %.2fx (target within 0.8x-1.2x)" % (large / small))


if __name__ == "__main__":
    main()
