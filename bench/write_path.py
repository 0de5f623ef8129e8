"""Benchmark: the observation write path versus a plain COPY of the same rows.

    .venv/bin/python -m bench.write_path [--rows 1000000]

Our path: as `draxis_pipeline`, in one tenant-scoped transaction, COPY the frame into a temp
table, then one statement that updates changed rows and inserts new ones (INSERT ... SELECT with
an anti-join) into `tenant.kri_observation` (forced RLS).
Baseline: as the owner, COPY the same resolved rows straight into a table of the same shape (same
primary key, indexes and foreign keys) without RLS. Uses its own database, `draxis_bench`, on
DATABASE_URL's cluster or the embedded one.
"""

from __future__ import annotations

import argparse
import io
import json
import time
from datetime import UTC, datetime

import polars as pl
import psycopg
from psycopg import sql

from assets.kri import store
from assets.tenants import Conn
from connectors.base import OBSERVATION_SCHEMA
from connectors.demo import CATALOG
from draxis.db.migrate import migrate
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.scope import scoped_transaction
from draxis.db.urls import cluster_url, role_conninfo, with_database
from draxis.settings import Settings
from tests.factories import create_tenant

BENCH_DB = "draxis_bench"
BASELINE = "kri_observation_copy_baseline"


def observations(rows: int) -> pl.DataFrame:
    """`rows` observations: the 12 demo KRIs, one value a minute going back in time."""
    slugs = [k.slug for k in CATALOG]
    index = pl.int_range(0, rows, eager=True)
    minute = index // len(slugs)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return pl.DataFrame(
        {
            "kri_slug": pl.Series(slugs)[(index % len(slugs)).to_list()],
            "value": (index % 1000 / 10).cast(pl.Float64),
            "observed_at": pl.select(
                pl.lit(start) - pl.duration(minutes=pl.lit(minute))
            ).to_series(),
            "detail": pl.repeat(json.dumps({"generator": "bench"}), rows, eager=True),
        }
    ).cast(OBSERVATION_SCHEMA)  # type: ignore[arg-type]


def fresh_database() -> Settings:
    base = cluster_url(Settings())
    with psycopg.connect(with_database(base, "postgres"), autocommit=True) as conn:
        conn.execute(
            sql.SQL("drop database if exists {} with (force)").format(sql.Identifier(BENCH_DB))
        )
    settings = Settings(DATABASE_URL=with_database(base, BENCH_DB))
    migrate(settings)
    return settings


COLUMNS = "tenant_id, kri_id, observed_at, value, source_id, run_id, detail"


def plain_copy(owner: Conn, table: str, payload: bytes, *, foreign_keys: bool) -> float:
    """COPY `payload` as the owner into a new table shaped like kri_observation, without RLS."""
    with owner.transaction():
        owner.execute(
            f"create table tenant.{table} (like tenant.kri_observation"
            " including defaults including constraints including indexes)"
        )
        if foreign_keys:
            for fk in owner.execute(
                "select pg_get_constraintdef(oid) from pg_constraint"
                " where conrelid = 'tenant.kri_observation'::regclass and contype = 'f'"
            ).fetchall():
                owner.execute(f"alter table tenant.{table} add {fk[0]}")
        owner.execute(f"alter table tenant.{table} disable row level security")
    started = time.perf_counter()
    with (
        owner.transaction(),
        owner.cursor().copy(f"copy tenant.{table} ({COLUMNS}) from stdin (format csv)") as copy,
    ):
        copy.write(payload)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()

    settings = fresh_database()
    frame = observations(args.rows)
    with connect(role_conninfo(settings, DbRole.APP)) as app:
        tenant = create_tenant(app, "bench")

    with connect(role_conninfo(settings, DbRole.PIPELINE)) as conn:
        started = time.perf_counter()
        with scoped_transaction(conn, tenant.scope):
            counts = store.write_observations(conn, frame, tenant.source_id, None)
        ours = time.perf_counter() - started
        started = time.perf_counter()
        with scoped_transaction(conn, tenant.scope):
            again = store.write_observations(conn, frame, tenant.source_id, None)
        rerun = time.perf_counter() - started
    assert counts.written == args.rows, counts
    assert again.written == 0, again

    with connect(role_conninfo(settings, DbRole.MIGRATOR)) as owner:
        # The same resolved rows our path wrote, as CSV, read back before the clock starts
        # (the owner is subject to forced RLS too, so it reads them under the tenant's scope).
        buffer = io.BytesIO()
        with (
            scoped_transaction(owner, tenant.scope, read_only=True),
            owner.cursor().copy(
                f"copy (select {COLUMNS} from tenant.kri_observation) to stdout (format csv)"
            ) as copy,
        ):
            for chunk in copy:
                buffer.write(chunk)
        baseline = plain_copy(owner, BASELINE, buffer.getvalue(), foreign_keys=True)
        no_fk = plain_copy(owner, f"{BASELINE}_no_fk", buffer.getvalue(), foreign_keys=False)

    rate, base_rate = args.rows / ours, args.rows / baseline
    print(f"rows: {args.rows:,}")
    print(f"write path under RLS (COPY, temp, merge):         {ours:6.2f} s {rate:>10,.0f} rows/s")
    print(f"re-run of the same frame (writes nothing):        {rerun:6.2f} s")
    plain = f"{baseline:6.2f} s {base_rate:>10,.0f} rows/s"
    print(f"plain COPY as owner, same keys/indexes, no RLS:   {plain}")
    print(
        f"plain COPY, same indexes, no foreign key:         {no_fk:6.2f} s"
        f" {args.rows / no_fk:>10,.0f} rows/s"
    )
    print(f"ratio (ours / plain COPY): {rate / base_rate:.2f}x")
    print("reproduce: .venv/bin/python -m bench.write_path --rows", args.rows)


if __name__ == "__main__":
    main()
