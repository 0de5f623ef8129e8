"""Benchmark: the restore drill's restore times on a database with N observations.

    .venv/bin/python -m bench.restore_drill [--rows 1000000]

Fills its own database (`draxis_bench_drill`, on DATABASE_URL's cluster or the embedded one)
with one tenant and N observations through the pipeline's write path, then runs the whole drill
(`draxis db drill`: pg_dump + pg_restore into a fresh database, base backup + WAL archive +
point-in-time restore, fingerprints and catalog audit of both copies) and prints each restore's
time, the drill's total and the database's size.
"""

from __future__ import annotations

import argparse
import time

import psycopg

from assets.kri import store
from bench.db import fresh_database
from bench.write_path import observations
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.scope import scoped_transaction
from draxis.db.urls import role_conninfo
from draxis.drill.run import run_drill
from tests.factories import create_tenant

BENCH_DB = "draxis_bench_drill"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    settings = fresh_database(BENCH_DB)
    url = settings.database_url or ""
    with connect(role_conninfo(settings, DbRole.APP)) as app:
        tenant = create_tenant(app, "bench")
    with (
        connect(role_conninfo(settings, DbRole.PIPELINE)) as conn,
        scoped_transaction(conn, tenant.scope),
    ):
        store.write_observations(conn, observations(args.rows), tenant.source_id, None)
    with psycopg.connect(url) as conn:
        row = conn.execute("select pg_size_pretty(pg_database_size(current_database()))")
        size = (row.fetchone() or ("?",))[0]

    started = time.perf_counter()
    report = run_drill(url)
    total = time.perf_counter() - started
    print(report.render())
    print(f"observations: {args.rows:,}; database size: {size}")
    for stage in report.stages:
        print(f"{stage.name:>8} restore: {stage.restore_seconds:6.2f} s ({stage.rows:,} rows)")
    print(f"whole drill (dump, both restores, fingerprints, audits): {total:6.2f} s")
    print("reproduce: .venv/bin/python -m bench.restore_drill --rows", args.rows)


if __name__ == "__main__":
    main()
