# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper for the pg_backup target: prepares databases and storage, inspects and damages backups.

Connection from libpq's PG* environment; S3 from RUNBOOK_S3_ENDPOINT (credentials from AWS_*).
Every command prints JSON.

  make-source DB ROWS            a database with tables public.items (ROWS rows), public.small, "odd schema"."Mixed"
  checksum DB                    {table: {rows, md5}} of every user table
  drop DB...                     drop databases if they exist
  hold DB SECONDS                keep a session with an open transaction on DB
  make-reader ROLE PASSWORD DB [all]  a role without CREATEDB reading some (or all) tables of DB
  drop-role ROLE [DB...]         drop a role and what it owns
  create-bucket BUCKET / delete-bucket BUCKET
  list DEST                      keys under a directory or s3://bucket/prefix/
  uploads BUCKET                 open multipart uploads
  head S3URI                     encryption, storage class and size of an object
  damage DEST KEY flip|truncate|truncate-consistent|flip-consistent NEWKEY
                                 copy a backup (and its manifest) to NEWKEY and damage the copy; the -consistent ways
                                 rewrite the manifest to match the damaged artifact (flip-consistent flips a byte of
                                 the middle of a custom dump, or a tab of the COPY data of a plain one)
  databases PREFIX               names of the databases starting with PREFIX
  kill-restore PREFIX [parent]   SIGKILL the pg_restore/psql into a database starting with PREFIX once it is loading data
                                 (with parent: the module process running it first, so nothing is cleaned up)
  fake DEST JSON                 write backups dated in the past: [{db, age_hours, verified, manifest, ext}]
  kill-dump DB DEST              SIGKILL the pg_dump of DB once the backup under DEST has started to be written
  rot DEST KEY                   flip a byte in the middle of a stored backup in place, its manifest untouched
  uploads-under S3DEST           open multipart uploads under s3://bucket/prefix/ (all pages)
  kill-backups DB S3DEST COUNT   SIGKILL COUNT pg_backup module processes (pg_dump's parents) and their pg_dumps of
                                 DB once each has opened a new multipart upload under S3DEST
  serve-s3-auth DIR              a moto server of its own on a free loopback port that checks credentials
  stop-server PID                stop a server started by serve-s3-auth
  mount-tmpfs DIR BYTES          mount a tmpfs of BYTES (whole pages) on DIR (needs root)
  unmount DIR                    unmount what is mounted on DIR, if anything
"""

import datetime
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import boto3
import psycopg2

ENDPOINT = os.environ.get("RUNBOOK_S3_ENDPOINT")


def s3():
    return boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")


def connect(database):
    conn = psycopg2.connect(dbname=database)
    conn.autocommit = True
    return conn


def make_source(database, rows):
    drop(database)
    with connect("postgres").cursor() as cur:
        cur.execute('CREATE DATABASE "%s"' % database)
    with connect(database).cursor() as cur:
        cur.execute("CREATE TABLE items (id bigint PRIMARY KEY, body text, created timestamptz DEFAULT now())")
        cur.execute("INSERT INTO items (id, body) SELECT g, md5(g::text) || repeat(md5((g * 7)::text), 2) "
                    "FROM generate_series(1, %s) g", (int(rows),))
        cur.execute("CREATE TABLE small (k text PRIMARY KEY, v jsonb)")
        cur.execute("""INSERT INTO small VALUES ('a', '{"x": 1}'), ('b', '[1, 2]'), ('quote''s', 'null')""")
        cur.execute('CREATE SCHEMA "odd schema"')
        cur.execute('CREATE TABLE "odd schema"."Mixed" (n int)')
        cur.execute('INSERT INTO "odd schema"."Mixed" SELECT generate_series(1, 5)')
        cur.execute("CREATE VIEW item_count AS SELECT count(*) FROM items")
        cur.execute("ANALYZE")
    return {"database": database}


def checksum(database):
    result = {}
    with connect(database).cursor() as cur:
        cur.execute("SELECT table_schema, table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE' "
                    "AND table_schema NOT IN ('pg_catalog', 'information_schema') ORDER BY 1, 2")
        for schema, table in cur.fetchall():
            name = '"%s"."%s"' % (schema, table)
            cur.execute("SELECT count(*), md5(coalesce(string_agg(t::text, ',' ORDER BY t::text), '')) FROM %s t" % name)
            count, digest = cur.fetchone()
            result["%s.%s" % (schema, table)] = {"rows": count, "md5": digest}
    return result


def drop(*databases):
    with connect("postgres").cursor() as cur:
        for database in databases:
            cur.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (database,))
            cur.execute('DROP DATABASE IF EXISTS "%s"' % database)
    return {"dropped": list(databases)}


def make_reader(role, password, database, scope="some"):
    """A login role that may not create databases and may read public.small of DATABASE, or every table (all)."""
    drop_role(role)
    with connect("postgres").cursor() as cur:
        cur.execute('CREATE ROLE "%s" LOGIN NOCREATEDB PASSWORD %%s' % role, (password,))
    with connect(database).cursor() as cur:
        cur.execute('GRANT SELECT ON public.small TO "%s"' % role)
        if scope == "all":
            cur.execute('GRANT USAGE ON SCHEMA "odd schema" TO "%s"' % role)
            cur.execute('GRANT SELECT ON ALL TABLES IN SCHEMA public, "odd schema" TO "%s"' % role)
    return {"role": role}


def drop_role(role, *databases):
    for database in databases:
        try:
            with connect(database).cursor() as cur:
                cur.execute('DROP OWNED BY "%s"' % role)
        except psycopg2.Error:
            pass
    with connect("postgres").cursor() as cur:
        cur.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,))
        if cur.fetchone():
            if not databases:
                cur.execute("SELECT datname FROM pg_database WHERE datallowconn")
                for (database,) in cur.fetchall():
                    with connect(database).cursor() as other:
                        other.execute('DROP OWNED BY "%s"' % role)
            cur.execute('DROP ROLE "%s"' % role)
    return {"dropped": role}


def hold(database, seconds):
    """Holds a lock on items until the session is terminated (exit 1) or SECONDS pass (exit 0)."""
    conn = psycopg2.connect(dbname=database)
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM items")
        deadline = time.time() + float(seconds)
        while time.time() < deadline:
            time.sleep(0.2)
            try:
                cur.execute("SELECT 1")
            except psycopg2.Error as exc:
                raise SystemExit("session ended: %s" % exc)
    return {"held": True}


class Store:
    def __init__(self, dest):
        self.dest = dest
        if dest.startswith("s3://"):
            self.bucket, _sep, prefix = dest[len("s3://"):].partition("/")
            self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def is_s3(self):
        return self.dest.startswith("s3://")

    def keys(self):
        if self.is_s3():
            pages = s3().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix)
            return sorted(item["Key"][len(self.prefix):] for page in pages for item in page.get("Contents", []))
        found = []
        for directory, _dirs, files in os.walk(self.dest):
            found.extend(os.path.relpath(os.path.join(directory, name), self.dest) for name in files)
        return sorted(found)

    def read(self, key):
        if self.is_s3():
            return s3().get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        with open(os.path.join(self.dest, key), "rb") as handle:
            return handle.read()

    def write(self, key, data):
        if self.is_s3():
            s3().put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)
            return
        path = os.path.join(self.dest, key)
        if not os.path.isdir(os.path.dirname(path)):
            os.makedirs(os.path.dirname(path))
        with open(path, "wb") as handle:
            handle.write(data)


def damage(dest, key, how, new_key):
    store = Store(dest)
    data = store.read(key)
    manifest = json.loads(store.read(key + ".manifest.json"))
    if how in ("flip", "flip-consistent"):
        middle = len(data) // 2
        if how == "flip-consistent" and key.endswith(".sql"):
            # A tab turned into a backspace: COPY finds a row with a column missing.
            middle = data.index(b"\t", middle)
        data = data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:]
    else:
        data = data[:len(data) * 2 // 3]
    if how.endswith("-consistent"):
        manifest.update(size=len(data), checksum="sha256:" + hashlib.sha256(data).hexdigest())
    manifest["key"] = new_key
    store.write(new_key, data)
    store.write(new_key + ".manifest.json", json.dumps(manifest).encode())
    return {"key": new_key, "size": len(data)}


def fake(dest, spec):
    store = Store(dest)
    now = datetime.datetime.now(datetime.timezone.utc)
    written = []
    for item in json.loads(spec):
        when = now - datetime.timedelta(hours=item["age_hours"])
        ext = item.get("ext", "dump")
        key = "%s/%s_%s%03dZ.%s" % (when.strftime("%Y/%m/%d"), item["db"], when.strftime("%Y%m%dT%H%M%S"),
                                    when.microsecond // 1000, ext)
        body = b"not a real dump"
        store.write(item.get("prefix", "") + key, body)
        if item.get("manifest", True):
            store.write(item.get("prefix", "") + key + ".manifest.json", json.dumps({
                "key": key, "checksum": "sha256:" + hashlib.sha256(body).hexdigest(), "size": len(body),
                "database": item["db"], "format": "custom", "started": when.isoformat(),
                "finished": when.isoformat(),
                "verification": {"method": "archive" if item.get("verified") else "none",
                                 "passed": True if item.get("verified") else None},
            }).encode())
        written.append(item.get("prefix", "") + key)
    return {"keys": written}


def delete_bucket(bucket):
    client = s3()
    try:
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                client.delete_object(Bucket=bucket, Key=item["Key"])
        for upload in client.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
            client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
        client.delete_bucket(Bucket=bucket)
    except client.exceptions.NoSuchBucket:
        pass
    return {"deleted": bucket}


def head(uri):
    bucket, _sep, key = uri[len("s3://"):].partition("/")
    info = s3().head_object(Bucket=bucket, Key=key)
    return {"sse": info.get("ServerSideEncryption"), "storage_class": info.get("StorageClass"),
            "size": info["ContentLength"]}


def uploads(bucket):
    return {"uploads": [u["Key"] for u in s3().list_multipart_uploads(Bucket=bucket).get("Uploads", [])]}


def pg_dump_of(database):
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as handle:
                argv = handle.read().split(b"\0")
            with open("/proc/%s/environ" % pid, "rb") as handle:
                env = handle.read().split(b"\0")
        except (IOError, OSError):
            continue
        if argv and argv[0].endswith(b"pg_dump") and ("PGDATABASE=%s" % database).encode() in env:
            return int(pid)
    return None


def started_writing(store):
    if store.is_s3():
        return bool(s3().list_multipart_uploads(Bucket=store.bucket, Prefix=store.prefix).get("Uploads"))
    return any(os.path.getsize(os.path.join(store.dest, key)) > 0 for key in store.keys()) if os.path.isdir(
        store.dest) else False


def kill_dump(database, dest):
    store = Store(dest)
    deadline = time.time() + 120
    while time.time() < deadline:
        pid = pg_dump_of(database)
        if pid and started_writing(store):
            os.kill(pid, signal.SIGKILL)
            return {"killed": pid}
        time.sleep(0.005)
    raise SystemExit("no pg_dump of %s started writing to %s" % (database, dest))


def databases(prefix):
    with connect("postgres").cursor() as cur:
        cur.execute("SELECT datname FROM pg_database WHERE starts_with(datname, %s) ORDER BY 1", (prefix,))
        return {"databases": [row[0] for row in cur.fetchall()]}


def restore_of(prefix):
    """pid of a pg_restore or psql whose --dbname starts with ``prefix``."""
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as handle:
                argv = handle.read().decode("utf-8", "replace").split("\0")
        except (IOError, OSError):
            continue
        if argv and os.path.basename(argv[0]) in ("pg_restore", "psql") and any(
                arg.startswith("--dbname=" + prefix) for arg in argv):
            return int(pid)
    return None


def loading(prefix):
    with connect("postgres").cursor() as cur:
        cur.execute("SELECT 1 FROM pg_stat_activity WHERE starts_with(datname, %s) AND query ILIKE 'COPY %%'",
                    (prefix,))
        return bool(cur.fetchone())


def parent_of(pid):
    with open("/proc/%d/stat" % pid) as handle:
        return int(handle.read().rsplit(")", 1)[1].split()[1])


def kill_restore(prefix, parent=None):
    deadline = time.time() + 120
    while time.time() < deadline:
        pid = restore_of(prefix)
        if pid and loading(prefix):
            killed = [parent_of(pid), pid] if parent else [pid]
            for victim in killed:
                os.kill(victim, signal.SIGKILL)
            return {"killed": killed}
        time.sleep(0.005)
    raise SystemExit("no restore into a database starting with %s started loading data" % prefix)


def rot(dest, key):
    store = Store(dest)
    data = store.read(key)
    middle = len(data) // 2
    store.write(key, data[:middle] + bytes([data[middle] ^ 0x01]) + data[middle + 1:])
    return {"key": key, "size": len(data)}


def uploads_under(dest):
    store = Store(dest)
    found = []
    for page in s3().get_paginator("list_multipart_uploads").paginate(Bucket=store.bucket, Prefix=store.prefix):
        found.extend({"key": upload["Key"][len(store.prefix):], "upload_id": upload["UploadId"]}
                     for upload in page.get("Uploads", []))
    return {"uploads": found}


def pg_dumps_of(database):
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open("/proc/%s/cmdline" % pid, "rb") as handle:
                argv = handle.read().split(b"\0")
            with open("/proc/%s/environ" % pid, "rb") as handle:
                env = handle.read().split(b"\0")
        except (IOError, OSError):
            continue
        if argv and argv[0].endswith(b"pg_dump") and ("PGDATABASE=%s" % database).encode() in env:
            found.append(int(pid))
    return found


def parent_of(pid):
    with open("/proc/%d/status" % pid) as handle:
        return int([line.split()[1] for line in handle if line.startswith("PPid:")][0])


def kill_backups(database, dest, count):
    before = set(upload["upload_id"] for upload in uploads_under(dest)["uploads"])
    deadline = time.time() + 120
    while time.time() < deadline:
        dumps = pg_dumps_of(database)
        new = [upload for upload in uploads_under(dest)["uploads"] if upload["upload_id"] not in before]
        if len(dumps) >= int(count) and len(new) >= int(count):
            modules = [parent_of(pid) for pid in dumps]
            for pid in modules + dumps:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            return {"killed": modules, "uploads": new}
        time.sleep(0.02)
    raise SystemExit("no %s pg_backup runs of %s opened uploads under %s: pg_dump pids %s, new uploads %s"
                     % (count, database, dest, dumps, new))


def serve_s3_auth(state_dir):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with open(os.path.join(state_dir, "moto-auth.log"), "wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   env=dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="0"), stdin=subprocess.DEVNULL,
                                   stdout=log, stderr=log, start_new_session=True)
    endpoint = "http://127.0.0.1:%d" % port
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            urllib.request.urlopen(endpoint + "/moto-api/", timeout=2).close()
            return {"endpoint": endpoint, "pid": process.pid}
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("moto with authentication did not answer on %s" % endpoint)


def stop_server(pid):
    try:
        os.kill(int(pid), signal.SIGTERM)
    except ProcessLookupError:
        return {"stopped": int(pid)}
    deadline = time.time() + 15
    while time.time() < deadline and os.path.exists("/proc/%d" % int(pid)):
        time.sleep(0.1)
    return {"stopped": int(pid)}


def mount_tmpfs(directory, size):
    subprocess.check_call(["mount", "-t", "tmpfs", "-o", "size=%d,mode=0700" % int(size), "tmpfs", directory])
    return {"mounted": directory, "size": int(size)}


def unmount(directory):
    if not os.path.ismount(directory):
        return {"unmounted": None}
    subprocess.check_call(["umount", directory])
    return {"unmounted": directory}


def main(command, *args):
    commands = {
        "make-source": make_source, "checksum": checksum, "drop": drop, "hold": hold,
        "create-bucket": lambda bucket: s3().create_bucket(Bucket=bucket) and {"bucket": bucket},
        "list": lambda dest: {"keys": Store(dest).keys()}, "uploads": uploads, "damage": damage, "fake": fake,
        "kill-dump": kill_dump, "head": head, "make-reader": make_reader, "drop-role": drop_role,
        "delete-bucket": delete_bucket, "databases": databases, "kill-restore": kill_restore,
        "rot": rot, "uploads-under": uploads_under, "kill-backups": kill_backups, "serve-s3-auth": serve_s3_auth,
        "stop-server": stop_server, "mount-tmpfs": mount_tmpfs, "unmount": unmount,
    }
    print(json.dumps(commands[command](*args)))


if __name__ == "__main__":
    main(*sys.argv[1:])
