"""Benchmark: the risk-model rollups on a book of 1,000 tenants × 50 KRIs × 180 days.

    .venv/bin/python -m bench.rollups [--tenants 1000] [--kris 50] [--days 180] [--insured 500]
                                      [--clients 32] [--seconds 20] [--repeat 3] [--transforms-only]
                                      [--no-transforms] [--no-dashboard]

Prints:
1. The rollup transforms over the whole book in memory — latest observation per KRI (from
   every observation), KRI colour, risk, outcome and tenant posture — with the production Polars
   rules (`assets.status.rules`, `assets.posture.rules`) and the same rules in pandas
   (`bench.pandas_rollups`), timed step by step (median of `--repeat`), with a check that both
   give the same rows.
2. The same recompute through the pipeline: the book bulk-loaded into Postgres (database
   `draxis_bench_rollups` on DATABASE_URL's cluster or the embedded one), then `kri_status_job`
   and `posture_job` as ranged Dagster runs over every tenant partition, as `draxis_pipeline`
   under RLS, in batches of up to `assets.posture.batch.BATCH_SIZE` tenants per transaction:
   total and per-tenant time of each job, and the statements each issued.
3. `GET /api/dashboard` p50 / p95 with `--clients` concurrent clients for `--seconds`, against
   the real app in its own uvicorn process on loopback, each client signed in to its own tenant.
4. The carrier projection (`carrier_portfolio_job`) for one carrier insuring `--insured` tenants.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import random
import statistics
import time
from collections.abc import Callable
from typing import Any
from unittest.mock import patch

import dagster as dg
import httpx
import pandas as pd
import polars as pl
import psycopg
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from psycopg import sql

from assets.database import DraxisDatabase
from assets.partitions import TENANT_DIMENSION
from assets.posture import rules as rollup_rules
from assets.posture.assets import roll_outcome_postures, roll_risk_postures, roll_tenant_postures
from assets.posture.batch import BATCH_SIZE, resolve_batch
from assets.status import rules as status_rules
from assets.status.asset import roll_statuses
from bench import pandas_rollups
from bench.auth_load import _serve
from bench.book import Book, generate
from bench.db import fresh_database
from draxis.security.passwords import hash_password
from draxis.settings import Settings
from pipelines.jobs import carrier_portfolio_job, kri_status_job, posture_job
from tests import statements
from tests.factories import PASSWORD
from tests.statements import CountingDatabase

BENCH_DB = "draxis_bench_rollups"
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
STEPS = ("latest", "kri_status", "risk_posture", "outcome_posture", "tenant_posture")


# 1. Transforms ---------------------------------------------------------------------------------
def polars_rollups(book: Book, clock: Callable[[str], None]) -> dict[str, pl.DataFrame]:
    obs = book.observations
    latest = obs.group_by("kri_id").agg(
        pl.col("value").get(pl.col("observed_at").arg_max()), pl.col("observed_at").max()
    )
    clock("latest")
    statuses = status_rules.kri_status(book.kris, latest, book.now)
    clock("kri_status")
    risks = rollup_rules.risk_posture(
        statuses,
        book.kri_risk_links,
        book.controls,
        book.control_risk_links,
        book.risks,
    )
    clock("risk_posture")
    outcomes = rollup_rules.outcome_posture(risks, book.risk_outcome_links, book.outcomes)
    clock("outcome_posture")
    tenants = rollup_rules.tenant_postures(statuses, risks, book.tenants)
    clock("tenant_posture")
    return {"risk": risks, "outcome": outcomes, "tenant": tenants.sort("tenant_id")}


def pandas_book(book: Book) -> dict[str, pd.DataFrame]:
    return {
        name: getattr(book, name).to_pandas() for name in Book.__dataclass_fields__ if name != "now"
    }


def pandas_rollups_run(
    frames: dict[str, pd.DataFrame], book: Book, clock: Callable[[str], None]
) -> dict[str, pd.DataFrame]:
    latest = pandas_rollups.latest(frames["observations"])
    clock("latest")
    statuses = pandas_rollups.kri_status(frames["kris"], latest, book.now)
    clock("kri_status")
    risks = pandas_rollups.risk_posture(
        statuses,
        frames["kri_risk_links"],
        frames["controls"],
        frames["control_risk_links"],
        frames["risks"],
    )
    clock("risk_posture")
    outcomes = pandas_rollups.outcome_posture(
        risks, frames["risk_outcome_links"], frames["outcomes"]
    )
    clock("outcome_posture")
    tenants = pandas_rollups.tenant_postures(
        statuses.merge(frames["kris"][["kri_id", "tenant_id"]], on="kri_id"),
        risks,
        frames["tenants"],
    )
    clock("tenant_posture")
    return {"risk": risks, "outcome": outcomes, "tenant": tenants.sort_values("tenant_id")}


def _timed(
    run: Callable[[Callable[[str], None]], Any], repeat: int
) -> tuple[dict[str, float], Any]:
    samples: dict[str, list[float]] = {step: [] for step in STEPS}
    result: Any = None
    for _ in range(repeat):
        last = time.perf_counter()

        def clock(step: str) -> None:
            nonlocal last
            now = time.perf_counter()
            samples[step].append(now - last)
            last = now

        result = run(clock)
    return {step: statistics.median(s) for step, s in samples.items()}, result


def _same(polars_frame: pl.DataFrame, pandas_frame: pd.DataFrame, what: str) -> None:
    """Both libraries give the same rows (scores to 1e-9)."""
    ours = polars_frame.to_dicts()
    theirs = pandas_frame.to_dict("records")
    assert len(ours) == len(theirs), f"{what}: {len(ours)} rows vs {len(theirs)}"
    for a, b in zip(ours, theirs, strict=True):
        for key, value in a.items():
            other = b[key]
            if isinstance(value, float) or isinstance(other, float):
                both_missing = value is None and (other is None or pd.isna(other))
                assert both_missing or abs(float(value) - float(other)) < 1e-9, (what, key, a, b)
            elif isinstance(value, list):
                assert value == list(other), (what, key, a, b)
            else:
                assert value == other, (what, key, a, b)


def compare_transforms(book: Book, repeat: int) -> None:
    polars_times, polars_out = _timed(lambda clock: polars_rollups(book, clock), repeat)
    frames = pandas_book(book)
    pandas_times, pandas_out = _timed(lambda clock: pandas_rollups_run(frames, book, clock), repeat)
    for name in ("risk", "outcome", "tenant"):
        _same(polars_out[name], pandas_out[name], name)
    print(f"\n1. transforms over the whole book in memory (median of {repeat})")
    print(f"   {'step':<16} {'polars':>10} {'pandas':>10} {'ratio':>7}")
    for step in STEPS:
        p, q = polars_times[step], pandas_times[step]
        print(f"   {step:<16} {p:9.3f}s {q:9.3f}s {q / p:6.1f}×")
    p, q = sum(polars_times.values()), sum(pandas_times.values())
    print(f"   {'all rollups':<16} {p:9.3f}s {q:9.3f}s {q / p:6.1f}×   (same rows: checked)")


# 2. The book in Postgres -----------------------------------------------------------------------
def _copy(conn: psycopg.Connection[Any], table: str, frame: pl.DataFrame) -> None:
    columns = sql.SQL(", ").join(sql.Identifier(c) for c in frame.columns)
    statement = sql.SQL("copy {} ({}) from stdin (format csv)").format(sql.SQL(table), columns)
    with conn.cursor().copy(statement) as copy:
        chunk = 500_000
        for start in range(0, frame.height, chunk):
            buffer = io.BytesIO()
            frame.slice(start, chunk).write_csv(buffer, include_header=False)
            copy.write(buffer.getvalue())


def load(book: Book, settings: Settings) -> list[str]:
    """Bulk-load the book as the cluster superuser (COPY into RLS tables is refused to others;
    triggers, foreign keys included, are off for the load: the generator is consistent).
    Returns one signed-in e-mail per tenant, in tenant order."""
    tenants = book.tenants.with_columns(
        pl.format("bench-org-{}", pl.int_range(pl.len()) // 10).alias("org_slug")
    )
    orgs = tenants.select("org_slug").unique(maintain_order=True)
    emails = [f"admin@{slug}.example.test" for slug in tenants["slug"]]
    with psycopg.connect(settings.database_url or "", autocommit=False) as conn:
        conn.execute("set session_replication_role = replica")
        _copy(conn, "platform.organizations", orgs.select(slug="org_slug", name="org_slug"))
        conn.execute("create temp table t (tenant_id uuid, slug text, name text, org_slug text)")
        _copy(conn, "t", tenants)
        conn.execute(
            "insert into platform.tenants (id, organization_id, slug, name)"
            " select t.tenant_id, o.id, t.slug, t.name from t"
            " join platform.organizations o on o.slug = t.org_slug"
        )
        conn.execute(
            "insert into platform.users (email, display_name, password_hash, role,"
            " organization_id, tenant_id)"
            " select 'admin@' || t.slug || '.example.test', 'Admin', %s, 'tenant_admin', o.id,"
            " t.tenant_id from t join platform.organizations o on o.slug = t.org_slug",
            (hash_password(PASSWORD),),
        )
        conn.execute(
            "insert into tenant.kri_source (tenant_id, source_type, vendor_id, name)"
            " select tenant_id, 'demo', 'demo', 'Demo data' from t"
        )
        _copy(
            conn,
            "tenant.kri",
            book.kris.select(
                "tenant_id",
                pl.col("kri_id").alias("id"),
                "slug",
                pl.col("slug").alias("name"),
                "direction",
                "warn",
                "critical",
            ),
        )
        conn.execute(
            "update tenant.kri k set source_id = s.id from tenant.kri_source s"
            " where s.tenant_id = k.tenant_id"
        )
        named = pl.format("{}", pl.int_range(pl.len()))
        _copy(
            conn,
            "tenant.control",
            book.controls.select(
                "tenant_id",
                pl.col("control_id").alias("id"),
                pl.format("control_{}", named).alias("slug"),
                pl.format("Control {}", named).alias("name"),
                "effectiveness",
            ),
        )
        _copy(
            conn,
            "tenant.risk",
            book.risks.select(
                "tenant_id",
                pl.col("risk_id").alias("id"),
                pl.format("risk_{}", named).alias("slug"),
                pl.format("Risk {}", named).alias("title"),
            ),
        )
        _copy(
            conn,
            "tenant.outcome",
            book.outcomes.select(
                "tenant_id",
                pl.col("outcome_id").alias("id"),
                pl.format("outcome_{}", named).alias("slug"),
                pl.format("Outcome {}", named).alias("name"),
            ),
        )
        _copy(conn, "tenant.kri_risk", book.kri_risk_links)
        _copy(conn, "tenant.control_risk", book.control_risk_links)
        _copy(conn, "tenant.risk_outcome", book.risk_outcome_links)
        _copy(conn, "tenant.kri_outcome", book.kri_outcome_links)
        conn.execute("create temp table src as select tenant_id, id from tenant.kri_source")
        source_of = pl.DataFrame(
            conn.execute("select tenant_id::text, id::text from src").fetchall(),
            schema={"tenant_id": pl.String(), "source_id": pl.String()},
            orient="row",
        )
        started = time.perf_counter()
        _copy(
            conn,
            "tenant.kri_observation",
            book.observations.join(source_of, on="tenant_id").select(
                "tenant_id", "kri_id", "observed_at", "value", "source_id"
            ),
        )
        copied = time.perf_counter() - started
        conn.commit()
    with psycopg.connect(settings.database_url or "", autocommit=True) as conn:
        conn.execute("vacuum analyze")
    print(
        f"   loaded {book.observations.height:,} observations by COPY in {copied:.1f} s"
        f" ({book.observations.height / copied:,.0f} rows/s), then VACUUM ANALYZE"
    )
    return emails


def _ranged_run(
    job: dg.UnresolvedAssetJobDefinition, slugs: list[str], instance: dg.DagsterInstance
) -> tuple[float, str]:
    """Seconds the ranged run took, and each of its steps (assets) in Dagster's own stats."""
    from pipelines.definitions import defs

    started = time.perf_counter()
    result = defs.resolve_job_def(job.name).execute_in_process(
        run_config=QUIET,
        instance=instance,
        resources={"database": CountingDatabase()},
        tags={
            "dagster/asset_partition_range_start": slugs[0],
            "dagster/asset_partition_range_end": slugs[-1],
        },
        raise_on_error=True,
    )
    assert result.success
    elapsed = time.perf_counter() - started
    steps = instance.get_run_step_stats(result.run_id)
    return elapsed, "  ".join(
        f"{s.step_key} {(s.end_time or 0) - (s.start_time or 0):.2f}s" for s in steps
    )


def pipeline_recompute(book: Book, instance: dg.DagsterInstance) -> None:
    slugs = book.tenants["slug"].to_list()
    instance.add_dynamic_partitions(TENANT_DIMENSION, slugs)
    n = len(slugs)
    print(
        f"\n2. the same recompute through the pipeline (Postgres, RLS, batches of"
        f" <= {BATCH_SIZE:,} tenants per transaction)"
    )
    print(
        f"   {'job (one ranged run over ' + f'{n:,} tenants)':<46} {'total':>8}"
        f" {'per tenant':>11} {'statements':>10}   steps"
    )
    runs = (
        ("kri_status_job", kri_status_job),
        ("posture_job (risk -> outcome -> tenant)", posture_job),
        ("kri_status_job again (nothing changed)", kri_status_job),
    )
    times: list[float] = []
    for label, job in runs:
        statements.STATEMENTS.clear()
        elapsed, steps = _ranged_run(job, slugs, instance)
        times.append(elapsed)
        issued = len(statements.STATEMENTS)
        print(f"   {label:<46} {elapsed:7.2f}s {elapsed / n * 1000:8.2f} ms {issued:>10}   {steps}")
    total = times[0] + times[1]
    print(f"   {'all rollups (kri_status + posture)':<46} {total:7.2f}s {total / n * 1000:8.2f} ms")
    # The same batches, called without Dagster: what is ours, apart from Dagster's per-partition
    # bookkeeping (a planned and a materialization event per partition and asset).
    started = time.perf_counter()
    with CountingDatabase().connection() as conn:
        statements.STATEMENTS.clear()
        run = resolve_batch(conn, slugs)
        for batch in run.chunks():
            roll_statuses(conn, batch)
            roll_risk_postures(conn, batch)
            roll_outcome_postures(conn, batch)
            roll_tenant_postures(conn, batch)
    bare = time.perf_counter() - started
    label = "the same four rollups, without Dagster"
    print(f"   {label:<46} {bare:7.2f}s {bare / n * 1000:8.2f} ms {len(statements.STATEMENTS):>10}")


# 3. Dashboard under load ----------------------------------------------------------------------
async def _dashboard_load(url: str, emails: list[str], clients: int, seconds: float) -> list[float]:
    async def sign_in(email: str) -> str:
        async with httpx.AsyncClient(base_url=url, timeout=60) as client:
            login = await client.post(
                "/api/auth/login", json={"email": email, "password": PASSWORD}
            )
            assert login.status_code == 200, login.text
            return str(login.json()["access_token"])

    chosen = random.Random(1).sample(emails, clients)  # noqa: S311 - which tenants, not a secret
    tokens = [await sign_in(e) for e in chosen]
    samples: list[float] = []
    deadline = time.perf_counter() + seconds

    async def one_client(token: str) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        async with httpx.AsyncClient(base_url=url, timeout=60, headers=headers) as client:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.get("/api/dashboard")
                samples.append(time.perf_counter() - started)
                assert response.status_code == 200, response.text
                assert len(response.json()["kris"]) > 0

    await asyncio.gather(*(one_client(t) for t in tokens))
    return samples


def dashboard(settings: Settings, emails: list[str], clients: int, seconds: float) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    with _serve(settings, pem) as url:
        samples = asyncio.run(_dashboard_load(url, emails, clients, seconds))
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"\n3. GET /api/dashboard, {clients} concurrent clients for {seconds:.0f} s"
        " (one uvicorn process)"
    )
    print(
        f"   p50 {statistics.median(ordered) * 1000:.1f} ms   p95 {p95 * 1000:.1f} ms"
        f"   max {ordered[-1] * 1000:.1f} ms   {len(ordered) / seconds:.0f} req/s"
        f"   n={len(ordered)}"
    )


# 4. Carrier projection ------------------------------------------------------------------------
def carrier_projection(
    book: Book, settings: Settings, insured: int, instance: dg.DagsterInstance
) -> None:
    tenant_ids = book.tenants["tenant_id"].to_list()[:insured]
    with psycopg.connect(settings.database_url or "", autocommit=False) as conn:
        carrier = conn.execute(
            "insert into carrier.carriers (slug, name) values ('bench-carrier', 'Bench Carrier')"
            " returning id"
        ).fetchone()
        assert carrier is not None
        conn.cursor().executemany(
            "insert into carrier.insured_tenants (carrier_id, tenant_id) values (%s, %s)",
            [(carrier[0], t) for t in tenant_ids],
        )
        # A month of history, so the 30-day trend has something to compare against.
        conn.execute(
            "insert into tenant.posture_history (tenant_id, day, posture_score, kri_count,"
            " stale_share, risks_critical, risks_high)"
            " select tenant_id, current_date - 31, greatest(0, least(100, posture_score - 3)),"
            " kri_count, stale_share, risks_critical, risks_high from tenant.tenant_posture"
            " on conflict do nothing"
        )
        conn.commit()
    from pipelines.definitions import defs

    started = time.perf_counter()
    result = defs.resolve_job_def(carrier_portfolio_job.name).execute_in_process(
        run_config=QUIET, instance=instance, resources={"database": DraxisDatabase()}
    )
    elapsed = time.perf_counter() - started
    assert result.success
    with psycopg.connect(settings.database_url or "") as conn:
        rows = conn.execute("select count(*) from carrier.portfolio").fetchone()
    print(f"\n4. carrier projection, one carrier insuring {insured} tenants")
    print(
        f"   carrier_portfolio_job {elapsed:.2f} s, {rows[0] if rows else 0} portfolio rows written"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--kris", type=int, default=50)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--insured", type=int, default=500)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--transforms-only", action="store_true")
    parser.add_argument("--no-transforms", action="store_true", help="skip section 1")
    parser.add_argument("--no-dashboard", action="store_true", help="skip section 3")
    args = parser.parse_args()
    flags = " ".join(
        f"--{k.replace('_', '-')}" + ("" if isinstance(v, bool) else f" {v}")
        for k, v in vars(args).items()
        if v is not False
    )
    print(f"$ .venv/bin/python -m bench.rollups {flags}")
    started = time.perf_counter()
    book = generate(args.tenants, args.kris, args.days)
    print(
        f"book: {book.tenants.height:,} tenants, {book.kris.height:,} KRIs,"
        f" {book.observations.height:,} observations, {book.risks.height:,} risks,"
        f" {book.outcomes.height:,} outcomes (generated in {time.perf_counter() - started:.1f} s)"
    )
    if not args.no_transforms:
        compare_transforms(book, args.repeat)
    if args.transforms_only:
        return
    settings = fresh_database(BENCH_DB)
    emails = load(book, settings)
    with (
        patch.dict(os.environ, {"DATABASE_URL": settings.database_url or ""}),
        dg.DagsterInstance.ephemeral() as instance,
    ):
        pipeline_recompute(book, instance)
        if not args.no_dashboard:
            dashboard(settings, emails, args.clients, args.seconds)
        carrier_projection(book, settings, args.insured, instance)


if __name__ == "__main__":
    main()
