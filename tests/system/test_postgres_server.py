"""The throwaway PostgreSQL server uses password authentication for real."""

import pytest

psycopg2 = pytest.importorskip("psycopg2")


def connect(pg, **overrides):
    params = dict(host=pg["PGHOST"], port=int(pg["PGPORT"]), user=pg["PGUSER"],
                  password=pg["PGPASSWORD"], dbname="postgres", connect_timeout=5)
    params.update(overrides)
    return psycopg2.connect(**params)


def test_rows_round_trip_over_password_auth(postgres):
    with connect(postgres) as conn, conn.cursor() as cur:
        cur.execute("CREATE TEMP TABLE proof (id int primary key, label text)")
        cur.executemany("INSERT INTO proof VALUES (%s, %s)", [(i, "row-%d" % i) for i in range(1000)])
        cur.execute("SELECT count(*), sum(id), max(label) FROM proof")
        assert cur.fetchone() == (1000, 499500, "row-999")
    conn.close()


def test_wrong_password_is_refused(postgres):
    with pytest.raises(psycopg2.OperationalError, match="password authentication failed"):
        connect(postgres, password="not-the-password")
