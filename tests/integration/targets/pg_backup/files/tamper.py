# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Test helper for the tampering cases of the pg_backup target: edits stored backups and their manifests the way
someone with write access to the backup store could.

Connection from libpq's PG* environment, client programs from PG_BINDIR; S3 from RUNBOOK_S3_ENDPOINT.
Every command prints JSON.

  sql DB STATEMENT                run one statement
  replace DEST KEY DB             put a fresh dump of DB (the backup's format, uncompressed) in place of KEY and
                                  rewrite the manifest's checksum and size to match
  forge DEST KEY DB               as replace, and rewrite the manifest's identity and row counts too (its HMAC, if
                                  any, is left as it was)
  unsign DEST KEY                 remove the manifest's HMAC
  downgrade DEST KEY              turn the manifest into a version 1 manifest (no identity, row counts or HMAC)
"""

import hashlib
import json
import os
import subprocess
import sys
import tempfile

import boto3
import psycopg2

ENDPOINT = os.environ.get("RUNBOOK_S3_ENDPOINT")
BINDIR = os.environ.get("PG_BINDIR", "")
USER_TABLES = """
    SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
       AND n.nspname NOT LIKE 'pg_toast%' AND n.nspname NOT LIKE 'pg_temp%' ORDER BY 1, 2"""


def program(name):
    return os.path.join(BINDIR, name) if BINDIR else name


class Store:
    def __init__(self, dest):
        self.dest = dest
        if dest.startswith("s3://"):
            self.bucket, _sep, prefix = dest[len("s3://"):].partition("/")
            self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
            self.client = boto3.client("s3", endpoint_url=ENDPOINT, region_name="us-east-1")

    def read(self, key):
        if self.dest.startswith("s3://"):
            return self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        with open(os.path.join(self.dest, key), "rb") as handle:
            return handle.read()

    def write(self, key, data):
        if self.dest.startswith("s3://"):
            self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)
            return
        with open(os.path.join(self.dest, key), "wb") as handle:
            handle.write(data)

    def manifest(self, key):
        return json.loads(self.read(key + ".manifest.json"))

    def put_manifest(self, key, manifest):
        self.write(key + ".manifest.json", json.dumps(manifest, indent=2).encode())


def connect(database):
    conn = psycopg2.connect(dbname=database)
    conn.autocommit = True
    return conn


def sql(database, statement):
    with connect(database).cursor() as cur:
        cur.execute(statement)
    return {"database": database}


def dump(database, fmt):
    args = [program("pg_dump"), "--no-password", "-Z0", "--dbname=%s" % database]
    args += ["-Fp", "--clean", "--if-exists"] if fmt == "plain" else ["-Fc"]
    return subprocess.run(args, check=True, stdout=subprocess.PIPE).stdout


def toc(data, fmt):
    """The identity as pg_backup records it: entry lines of pg_restore --list, or a plain script's entry comments."""
    if fmt == "plain":
        lines = [line for line in data.split(b"\n") if line.startswith((b"-- Name: ", b"-- Data for Name: "))]
        dbname = None
    else:
        with tempfile.NamedTemporaryFile() as handle:
            handle.write(data)
            handle.flush()
            listed = subprocess.run([program("pg_restore"), "--list", handle.name], check=True,
                                    stdout=subprocess.PIPE).stdout
        lines = [line.strip() for line in listed.split(b"\n") if line.strip() and not line.strip().startswith(b";")]
        dbname = [line.split(b"dbname:", 1)[1].strip().decode() for line in listed.split(b"\n") if b"dbname:" in line][0]
    digest = hashlib.sha256(b"".join(line + b"\n" for line in lines)).hexdigest()
    return {"dump_dbname": dbname, "toc_entries": len(lines), "toc_digest": "sha256:" + digest}


def row_counts(database):
    counts = {}
    with connect(database).cursor() as cur:
        cur.execute(USER_TABLES)
        for schema, table in cur.fetchall():
            cur.execute('SELECT count(*) FROM ONLY "%s"."%s"' % (schema, table))
            counts["%s.%s" % (schema, table)] = cur.fetchone()[0]
    return counts


def replace(dest, key, database, forge=False):
    store = Store(dest)
    manifest = store.manifest(key)
    data = dump(database, manifest["format"])
    store.write(key, data)
    manifest.update(checksum="sha256:" + hashlib.sha256(data).hexdigest(), size=len(data))
    if forge:
        manifest["identity"] = dict(manifest.get("identity", {}), **toc(data, manifest["format"]))
        manifest["row_counts"] = row_counts(database)
        manifest["database"] = manifest["identity"]["dump_dbname"] or manifest["database"]
    store.put_manifest(key, manifest)
    return {"key": key, "size": len(data), "manifest": manifest}


def unsign(dest, key):
    store = Store(dest)
    manifest = store.manifest(key)
    manifest.pop("hmac", None)
    store.put_manifest(key, manifest)
    return {"manifest": manifest}


def downgrade(dest, key):
    store = Store(dest)
    manifest = store.manifest(key)
    for field in ("identity", "row_counts", "hmac"):
        manifest.pop(field, None)
    manifest["manifest_version"] = 1
    store.put_manifest(key, manifest)
    return {"manifest": manifest}


def main(command, *args):
    commands = {"sql": sql, "replace": replace, "forge": lambda *a: replace(*a, forge=True), "unsign": unsign,
                "downgrade": downgrade}
    print(json.dumps(commands[command](*args)))


if __name__ == "__main__":
    main(*sys.argv[1:])
