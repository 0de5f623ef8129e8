"""Benchmark: a full refresh of 1,000 tenants × 5 sources through Dagster, batched and unbatched.

    .venv/bin/python -m bench.refresh [--tenants 1000] [--sources 5] [--kris 10] [--days 100]
                                      [--per-run 50] [--single 100]

Every tenant gets `--sources` sources, each feeding `--kris` KRIs with `--days` daily values
(defaults: 5,000 partitions, 5,000,000 observations). The sources use the vendor ids of the first
registered vendor connectors (so their partitions exist), served by a generator that needs no
network: what is measured is the runner — Dagster, the source lock, Pandera, the write under RLS
and the run records — not a vendor's API.

1. Batched: `kri_observations_job` as ranged runs of `--per-run` tenants of one source each (the
   asset iterates its partition keys; `BackfillPolicy.multi_run` asks the same of a UI backfill).
2. Unbatched: one run per partition, for `--single` partitions, in this process (the floor: no
   process start), timed and extrapolated to all of them; then `--launched` of them each in a
   fresh process, as Dagster's default run launcher starts every run (interpreter, imports, code
   location, run) — what one run per partition really costs under the daemon.

Uses its own database `draxis_bench_refresh` on DATABASE_URL's cluster or the embedded one.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import os
import subprocess
import sys
import time
from datetime import UTC, timedelta

import dagster as dg
import numpy as np
import polars as pl
import psycopg

from bench.db import fresh_database
from bench.rollups import QUIET
from bench.write_path import COLUMNS, plain_copy
from connectors.base import (
    OBSERVATION_SCHEMA,
    AuthType,
    ConfigField,
    ConnectorContext,
    KriSpec,
    ProbeResult,
    RunResult,
    SourceType,
)
from connectors.registry import REGISTRY
from draxis.settings import Settings

BENCH_DB = "draxis_bench_refresh"


class GeneratedSource:
    """`kris` KRIs × `days` daily values, a deterministic function of tenant and KRI."""

    source_type: SourceType = "vendor_api"
    auth_type: AuthType = "none"
    base_url: str | None = None
    config_fields: tuple[ConfigField, ...] = ()

    def __init__(self, vendor_id: str, kris: int, days: int) -> None:
        self.vendor_id = vendor_id
        self.display_name = f"Generated ({vendor_id})"
        self.days = days
        self.slugs = [f"{vendor_id.replace('-', '_')}_k{k:02d}" for k in range(kris)]
        self.kris: tuple[KriSpec, ...] = tuple(
            KriSpec(s, s, "count", "higher_is_worse", 10, 20, "generated") for s in self.slugs
        )

    def test(self, ctx: ConnectorContext) -> ProbeResult:
        return ProbeResult(True, "generated")

    def run(self, ctx: ConnectorContext) -> RunResult:
        seed = int.from_bytes(hashlib.blake2b(ctx.tenant_slug.encode(), digest_size=4).digest())
        rng = np.random.default_rng(seed)
        today = ctx.clock().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        days = [today - timedelta(days=d) for d in range(self.days)]
        count = len(self.slugs) * self.days
        frame = pl.DataFrame(
            {
                "kri_slug": np.repeat(self.slugs, self.days),
                "value": rng.uniform(0, 30, count).round(1),
                "observed_at": pl.Series(days * len(self.slugs), dtype=pl.Datetime("us", "UTC")),
                "detail": ['{"generator": "bench"}'] * count,
            }
        ).cast(OBSERVATION_SCHEMA)  # type: ignore[arg-type]
        return RunResult(observations=frame, items_fetched=count)


def load(settings: Settings, tenants: int, sources: list[GeneratedSource]) -> list[str]:
    """Tenants, their sources and KRIs, bulk-loaded as the cluster superuser."""
    slugs = [f"refresh-{i:05d}" for i in range(tenants)]
    with psycopg.connect(settings.database_url or "") as conn:
        conn.execute("set session_replication_role = replica")
        conn.execute("insert into platform.organizations (slug, name) values ('refresh', 'R')")
        conn.execute(
            "insert into platform.tenants (organization_id, slug, name)"
            " select o.id, s, s from platform.organizations o, unnest(%s::text[]) s",
            (slugs,),
        )
        for source in sources:
            conn.execute(
                "insert into tenant.kri_source (tenant_id, source_type, vendor_id, name)"
                " select id, 'vendor_api', %s, %s from platform.tenants",
                (source.vendor_id, source.display_name),
            )
            conn.execute(
                "insert into tenant.kri (tenant_id, slug, name, direction, warn, critical,"
                " source_id) select s.tenant_id, k, k, 'higher_is_worse', 10, 20, s.id"
                " from tenant.kri_source s, unnest(%s::text[]) k where s.vendor_id = %s",
                (source.slugs, source.vendor_id),
            )
        conn.commit()
    with psycopg.connect(settings.database_url or "", autocommit=True) as conn:
        conn.execute("vacuum analyze")
    return slugs


def _run(
    instance: dg.DagsterInstance, tags: dict[str, str], partition: str | None = None
) -> dg.ExecuteInProcessResult:
    from assets.database import DraxisDatabase
    from pipelines.definitions import defs
    from pipelines.jobs import kri_observations_job

    result = defs.resolve_job_def(kri_observations_job.name).execute_in_process(
        run_config=QUIET,
        instance=instance,
        partition_key=partition,
        tags=tags,
        resources={"database": DraxisDatabase()},
    )
    assert result.success
    return result


def floor(settings: Settings) -> tuple[int, float]:
    """Rows and seconds of a bare COPY of every observation the refresh wrote into a scratch
    table shaped like kri_observation (same keys, indexes and foreign key; no RLS, no Dagster),
    as the owner, in the same run: the floor the refresh is reported against. The rows are read
    back first, untimed."""
    with psycopg.connect(settings.database_url or "", autocommit=True) as owner:
        buffer = io.BytesIO()
        with owner.cursor().copy(
            f"copy (select {COLUMNS} from tenant.kri_observation) to stdout (format csv)"
        ) as out:
            for chunk in out:
                buffer.write(chunk)
        payload = buffer.getvalue()
        rows = payload.count(b"\n")
        return rows, plain_copy(owner, "refresh_floor", payload, foreign_keys=True)


def _observations(settings: Settings) -> int:
    with psycopg.connect(settings.database_url or "") as conn:
        row = conn.execute("select count(*) from tenant.kri_observation").fetchone()
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--sources", type=int, default=5)
    parser.add_argument("--kris", type=int, default=10)
    parser.add_argument("--days", type=int, default=100)
    parser.add_argument("--per-run", type=int, default=50)
    parser.add_argument("--single", type=int, default=100)
    parser.add_argument("--launched", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)  # one partition, in a fresh process
    args = parser.parse_args()
    if args.child:
        _child(args)
        return
    flags = " ".join(f"--{k.replace('_', '-')} {v}" for k, v in vars(args).items() if k != "child")
    print(f"$ .venv/bin/python -m bench.refresh {flags}")
    vendors = [v for v, c in sorted(REGISTRY.items()) if c.source_type == "vendor_api"]
    sources = [GeneratedSource(v, args.kris, args.days) for v in vendors[: args.sources]]
    for source in sources:
        REGISTRY[source.vendor_id] = source
    settings = fresh_database(BENCH_DB)
    os.environ["DATABASE_URL"] = settings.database_url or ""
    started = time.perf_counter()
    tenants = load(settings, args.tenants, sources)
    cells = len(tenants) * len(sources)
    print(
        f"{len(tenants):,} tenants × {len(sources)} sources ({', '.join(vendors[: args.sources])})"
        f" = {cells:,} partitions of {args.kris * args.days:,} observations"
        f" (set up in {time.perf_counter() - started:.1f} s)"
    )
    from assets.partitions import add_cells, partition_key

    with dg.DagsterInstance.ephemeral() as instance:
        add_cells(instance, tenants, [s.vendor_id for s in sources])
        # Unbatched first, on a sample, so that both measure fresh writes.
        sample = [(t, s.vendor_id) for t in tenants for s in sources][: args.single]
        started = time.perf_counter()
        for tenant, vendor in sample:
            _run(instance, {}, partition=str(partition_key(tenant, vendor)))
        single = (time.perf_counter() - started) / len(sample)
        started = time.perf_counter()
        runs = 0
        for source in sources:
            for first in range(0, len(tenants), args.per_run):
                chunk = tenants[first : first + args.per_run]
                _run(
                    instance,
                    {
                        "dagster/asset_partition_range_start": str(
                            partition_key(chunk[0], source.vendor_id)
                        ),
                        "dagster/asset_partition_range_end": str(
                            partition_key(chunk[-1], source.vendor_id)
                        ),
                    },
                )
                runs += 1
        batched = time.perf_counter() - started
        written = _observations(settings)
        per_partition = batched / cells
        print(
            f"\n1. batched: {runs} ranged runs of {args.per_run} partitions each, in-process"
            f"\n   {batched:7.1f} s wall   {cells / batched * 60:8,.0f} partitions/min"
            f"   {written / batched:9,.0f} observations/s   ({written:,} observations in the"
            f" table; the {len(sample)} sampled below were written first)"
        )
        print(
            f"\n2. unbatched: one run per partition, {len(sample)} partitions"
            f"\n   {single * 1000:7.0f} ms per partition   {60 / single:8,.0f} partitions/min"
            f"   → {cells:,} partitions ≈ {single * cells / 60:,.1f} min"
            f"\n   batched: {per_partition * 1000:.0f} ms per partition;"
            f" unbatched in-process is {single / per_partition:.1f}× slower"
        )
        launched = _launched(args, tenants, sources)
        print(
            f"   a process per run, as the daemon launches them ({args.launched} runs):"
            f" {launched:.2f} s per partition → {cells:,} partitions ≈"
            f" {launched * cells / 3600:.1f} h, {launched / per_partition:.0f}× the batched refresh"
        )
        rows, copied = floor(settings)
        print(
            f"\n3. floor: a bare COPY of the same {rows:,} observations into a scratch table"
            " shaped like kri_observation (same keys, indexes, foreign key; no RLS, no Dagster)"
            f"\n   {copied:7.1f} s wall   {rows / copied:9,.0f} rows/s"
            f"   the batched refresh takes {batched / copied:.1f}× the floor"
        )


def _launched(
    args: argparse.Namespace, tenants: list[str], sources: list[GeneratedSource]
) -> float:
    """Seconds per run of single-partition runs, each in a fresh Python process (re-runs of
    already written partitions, so the write itself is not what is measured)."""
    from assets.partitions import partition_key

    started = time.perf_counter()
    for tenant in tenants[: args.launched]:
        key = str(partition_key(tenant, sources[-1].vendor_id))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.refresh",
                "--kris",
                str(args.kris),
                "--days",
                str(args.days),
                "--sources",
                str(args.sources),
                "--child",
                key,
            ],
            check=True,
            env={**os.environ, "DRAXIS_LOG_LEVEL": "WARNING"},
            stdout=subprocess.DEVNULL,
        )
    return (time.perf_counter() - started) / int(args.launched)


def _child(args: argparse.Namespace) -> None:
    """The body of one launched run: load the code location, run one partition, exit."""
    vendors = [v for v, c in sorted(REGISTRY.items()) if c.source_type == "vendor_api"]
    for vendor in vendors[: args.sources]:
        REGISTRY[vendor] = GeneratedSource(vendor, args.kris, args.days)
    from assets.partitions import add_cells, tenant_source

    with dg.DagsterInstance.ephemeral() as instance:
        cell = tenant_source(args.child)
        add_cells(instance, [cell.tenant], [cell.source])
        _run(instance, {}, partition=args.child)


if __name__ == "__main__":
    main()
