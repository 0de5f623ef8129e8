"""Benchmark: one run of a tenant's `tprm` cell (integration drift + KRI values) at scale.

    .venv/bin/python -m bench.tprm_kris [--vendors 2000] [--findings 10000] [--apps 1000]

A fresh database (`draxis_bench_tprm_kris` on DATABASE_URL's cluster or the embedded one), one
tenant with the `tprm` source and an Okta source, bulk-loaded by COPY as the cluster admin:

- `--vendors` vendors, tiers mixed (15 % tier 1, 35 % tier 2, 50 % tier 3), added 10 to 1,500
  days ago, all owned by the tenant admin; a quarter name their apps by `app_match`, a third
  attest integrations (their own apps, and "Okta" for some, which no app confirms);
- about half of them with a completed assessment, completed 5 to 1,100 days ago (so some are
  current and some overdue, per tier);
- `--findings` open findings, severities mixed: 85 % from assessments, 15 % drift findings
  (half of them still hold and are refreshed, half name apps no longer reported and resolve);
- `--apps` active apps of the one identity source, 80 % named after a vendor (so many are
  undisclosed integrations), 20 % matching none.

Timed: the cell as `tests/pipelines/test_tprm_kris.py::run_cell` materializes it —
`kri_observations` for (tenant, "tprm") then `kri_status` — twice: a first run (drift findings
opened and resolved, owners notified) and a second one (steady state: every drift finding
refreshed). Each run's `source_run` also says how long the computation (the reads, the drift
writes and the Polars) and the observation write took inside the transaction. Then, apart: the
SQL reads alone (as the pipeline role, in the cell's scope) and the pure parts alone over the
frames they return, `assets.tprm.drift.plan` and `assets.tprm.kris.tprm_kris`, before the first
run and after the second, so the SQL and the Polars/Python parts can be told apart.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID

import dagster as dg
import psycopg

from assets.database import DraxisDatabase
from assets.kri.asset import kri_observations
from assets.partitions import add_cells, partition_key
from assets.status.asset import kri_status
from assets.tprm import drift, store
from assets.tprm.kris import tprm_kris
from bench.db import fresh_database
from bench.rollups import QUIET
from connectors.first_party import TPRM, TPRM_KRIS
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.scope import Scope, scoped_transaction
from draxis.db.urls import role_conninfo
from draxis.settings import Settings
from tests.factories import TenantFixture, create_tenant
from tests.tprm.kit import SAMPLE

BENCH_DB = "draxis_bench_tprm_kris"
SEVERITIES = ("critical", "high", "medium", "medium", "low", "low")
APP_KINDS = ("SSO", "Enterprise", "Admin console", "Sandbox")
T = TypeVar("T")


def copy_rows(
    conn: psycopg.Connection[Any], table: str, columns: str, rows: Iterable[Sequence[Any]]
) -> int:
    written = 0
    with conn.cursor().copy(f"copy tenant.{table} ({columns}) from stdin") as copy:
        for row in rows:
            copy.write_row(row)
            written += 1
    return written


def vendor_name(i: int) -> str:
    return f"Vendor {i:05d}"


def app_names(vendors: int, apps: int, rng: random.Random) -> list[str]:
    """80 % named after a vendor (spread over them), 20 % after nobody."""
    names: list[str] = []
    for j in range(apps):
        if j % 5 == 4:
            names.append(f"Internal tool {j:05d}")
        else:
            names.append(f"{vendor_name(rng.randrange(vendors))} {APP_KINDS[j % len(APP_KINDS)]}")
    return names


def seed(
    settings: Settings, tenant: TenantFixture, owner: UUID, args: argparse.Namespace
) -> dict[str, int]:
    """Everything but the tenant, as the cluster admin by COPY; counts by table."""
    rng = random.Random(20)  # noqa: S311 - reproducible synthetic data, no secret
    now = datetime.now(UTC)
    apps = app_names(args.vendors, args.apps, rng)
    with psycopg.connect(settings.database_url or "") as conn:
        tprm_source, okta_source = uuid.uuid4(), uuid.uuid4()
        conn.execute(
            "insert into tenant.kri_source (id, tenant_id, source_type, vendor_id, name, schedule)"
            " values (%s, %s, %s, %s, %s, 'daily'), (%s, %s, 'vendor_api', 'okta', 'Okta',"
            " 'daily')",
            (tprm_source, tenant.id, TPRM.source_type, TPRM.vendor_id, TPRM.display_name,
             okta_source, tenant.id),
        )  # fmt: skip
        for k in TPRM_KRIS:
            conn.execute(
                "insert into tenant.kri (tenant_id, slug, name, unit, direction, warn, critical,"
                " source_id) values (%s, %s, %s, %s, %s, %s, %s, %s)",
                (tenant.id, k.slug, k.name, k.unit, k.direction, k.warn, k.critical, tprm_source),
            )
        questionnaire = uuid.uuid4()
        conn.execute(
            "insert into tenant.questionnaire (id, tenant_id, slug, name) values (%s, %s, %s, %s)",
            (questionnaire, tenant.id, "bench-q", SAMPLE["name"]),
        )
        conn.execute(
            "insert into tenant.questionnaire_version (tenant_id, questionnaire_id, version,"
            " status, document, published_at) values (%s, %s, 1, 'published', %s, now())",
            (tenant.id, questionnaire, json.dumps(SAMPLE)),
        )
        vendors: list[drift.DriftVendor] = []
        vendor_rows: list[tuple[Any, ...]] = []
        for i in range(args.vendors):
            tier = 1 if i % 20 < 3 else 2 if i % 20 < 10 else 3
            name = vendor_name(i)
            match = (name.lower(), f"v{i:05d}-") if i % 4 == 0 else ()
            attested: tuple[str, ...] = ()
            if i % 3 == 0:
                attested = (name,) if i % 2 == 0 else (f"{name} SSO", "Okta")
            vendor = drift.DriftVendor(uuid.uuid4(), name, tier, match, attested)
            vendors.append(vendor)
            added = now - timedelta(days=rng.randint(10, 1500))
            vendor_rows.append(
                (vendor.id, tenant.id, f"v{i:05d}", name, tier, list(match), list(attested),
                 owner, added, added)
            )  # fmt: skip
        counts = {
            "vendor": copy_rows(
                conn,
                "vendor",
                "id, tenant_id, slug, name, tier, app_match, attested_integrations,"
                " owner_user_id, created_at, updated_at",
                vendor_rows,
            )
        }
        assessed = [v for v in vendors if rng.random() < 0.5]
        assessment_of: dict[UUID, UUID] = {}
        assessment_rows: list[tuple[Any, ...]] = []
        for v in assessed:
            assessment_of[v.id] = uuid.uuid4()
            done = now - timedelta(days=rng.randint(5, 1100))
            token = hashlib.sha256(assessment_of[v.id].bytes).digest()
            assessment_rows.append(
                (assessment_of[v.id], tenant.id, v.id, questionnaire, 1, "completed", v.name,
                 "Admin bench", "security@vendor.example", done.date(), token, done,
                 done - timedelta(days=20), done - timedelta(days=2), done,
                 rng.randint(40, 98), rng.choice(("low", "medium", "high")))
            )  # fmt: skip
        counts["assessment"] = copy_rows(
            conn,
            "assessment",
            "id, tenant_id, vendor_id, questionnaire_id, version, status, vendor_name,"
            " requester_name, recipient_email, due_date, token_hash, token_expires_at, sent_at,"
            " submitted_at, completed_at, score, rating",
            assessment_rows,
        )
        counts["vendor_finding"] = copy_rows(
            conn,
            "vendor_finding",
            "tenant_id, vendor_id, assessment_id, source, dedupe_key, severity, title",
            findings(tenant.id, vendors, apps, assessment_of, args.findings, rng),
        )
        counts["identity_app"] = copy_rows(
            conn,
            "identity_app",
            "tenant_id, source_id, provider, app_id, name",
            ((tenant.id, okta_source, "okta", f"0oa{j:07d}", n) for j, n in enumerate(apps)),
        )
        conn.commit()
    with psycopg.connect(settings.database_url or "", autocommit=True) as conn:
        conn.execute("vacuum analyze")
    return counts


def findings(
    tenant_id: UUID,
    vendors: Sequence[drift.DriftVendor],
    apps: Sequence[str],
    assessment_of: dict[UUID, UUID],
    total: int,
    rng: random.Random,
) -> Iterable[tuple[Any, ...]]:
    """`total` open findings: 15 % drift (half that hold now, half stale), the rest from
    assessments (a vendor's completed one when it has one)."""
    drifted = total * 15 // 100
    holding = [f for v in vendors for f in drift.vendor_drift(v, apps)]
    kept = holding[: drifted // 2]
    for f in kept:
        yield (tenant_id, f.vendor_id, None, "drift", f.dedupe_key, f.severity, f.title)
    for k in range(drifted - len(kept)):
        v = vendors[k % len(vendors)]
        yield (tenant_id, v.id, None, "drift", f"{drift.UNDISCLOSED}retired-app-{k}", "high",
               f"Undisclosed integration: Retired app {k}")  # fmt: skip
    for k in range(total - drifted):
        v = vendors[k % len(vendors)]
        yield (tenant_id, v.id, assessment_of.get(v.id), "assessment", f"assessment:q{k}",
               rng.choice(SEVERITIES), f"Control gap {k}")  # fmt: skip


def run_cell(instance: dg.DagsterInstance, database: DraxisDatabase, slug: str) -> list[float]:
    """Seconds of each materialization: `kri_observations` (tenant, tprm), then `kri_status`."""
    seconds: list[float] = []
    for asset, key in (
        (kri_observations, str(partition_key(slug, "tprm"))),
        (kri_status, slug),
    ):
        started = time.perf_counter()
        result = dg.materialize(
            [asset],
            partition_key=key,
            instance=instance,
            resources={"database": database},
            run_config=QUIET,
        )
        seconds.append(time.perf_counter() - started)
        assert result.success
    return seconds


def last_run(conn: psycopg.Connection[Any], tenant: TenantFixture) -> tuple[int, int]:
    """The latest `tprm` source_run's fetch_ms (the computation) and write_ms."""
    with scoped_transaction(conn, tenant.scope, read_only=True):
        row = conn.execute(
            "select r.fetch_ms, r.write_ms, r.status from tenant.source_run r"
            " join tenant.kri_source s on s.id = r.source_id where s.vendor_id = 'tprm'"
            " order by r.started_at desc limit 1"
        ).fetchone()
    assert row is not None
    assert row[2] == "succeeded", row
    return int(row[0]), int(row[1])


def drift_counts(conn: psycopg.Connection[Any], tenant: TenantFixture) -> dict[str, int]:
    with scoped_transaction(conn, tenant.scope, read_only=True):
        rows = conn.execute(
            "select source || ':' || status, count(*) from tenant.vendor_finding group by 1"
        ).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


def timed(fn: Callable[[], T], repeat: int = 3) -> tuple[T, float]:
    """The result and the best of `repeat` timings (seconds)."""
    best = float("inf")
    result: T | None = None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return result, best


def parts(pipeline: psycopg.Connection[Any], tenant: TenantFixture) -> None:
    """The reads (SQL, as the pipeline role) and the pure computations, apart."""
    with scoped_transaction(pipeline, Scope.tenants([tenant.id]), read_only=True):

        def read() -> tuple[Any, ...]:
            return (
                store.clock(pipeline),
                store.detected_apps(pipeline),
                store.vendors(pipeline),
                store.drift_findings(pipeline),
                store.vendor_frame(pipeline),
                store.completed_frame(pipeline),
                store.open_findings_frame(pipeline),
                store.cadence(pipeline),
            )

        (clock, apps, vendors, stored, vframe, cframe, fframe, cadence), reading = timed(read)
    plan, planning = timed(lambda: drift.plan([r.vendor for r in vendors], apps, stored))
    frame, computing = timed(
        lambda: tprm_kris(vframe, cframe, fframe, cadence, clock.today, clock.now)
    )
    assert frame.height == len(TPRM_KRIS)
    print(
        f"  SQL reads alone (7 queries, pipeline role): {reading * 1000:.0f} ms"
        f" ({len(vendors):,} vendors, {len(apps):,} apps, {len(stored):,} drift findings,"
        f" {fframe.height:,} open findings, {cframe.height:,} completed)"
    )
    print(
        f"  drift.plan alone: {planning * 1000:.0f} ms (opens {len(plan.opened):,},"
        f" reopens {len(plan.reopened):,}, refreshes {len(plan.refreshed):,},"
        f" resolves {len(plan.resolved):,})"
    )
    print(f"  tprm_kris alone (Polars): {computing * 1000:.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--vendors", type=int, default=2000)
    parser.add_argument("--findings", type=int, default=10000)
    parser.add_argument("--apps", type=int, default=1000)
    args = parser.parse_args()
    command = (
        "python -m bench.tprm_kris"
        f" --vendors {args.vendors} --findings {args.findings} --apps {args.apps}"
    )
    print(f"$ .venv/bin/{command}")
    settings = fresh_database(BENCH_DB)
    app = connect(role_conninfo(settings, DbRole.APP))
    pipeline = connect(role_conninfo(settings, DbRole.PIPELINE))
    tenant = create_tenant(app, "bench")
    with scoped_transaction(app, Scope.platform(), read_only=True):
        row = app.execute(
            "select id from platform.users where email = %s", (tenant.user_email,)
        ).fetchone()
    assert row is not None
    started = time.perf_counter()
    counts = seed(settings, tenant, UUID(str(row[0])), args)
    print(
        "seeded "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items())
        + f" in {time.perf_counter() - started:.1f} s; findings {drift_counts(app, tenant)}"
    )
    print("pure parts, over the first run's inputs (best of 3):")
    parts(pipeline, tenant)
    database = DraxisDatabase(database_url=settings.database_url)
    with dg.DagsterInstance.ephemeral() as instance:
        add_cells(instance, [tenant.slug], ["tprm"])
        # Dagster's first materialization in a process pays its warm-up: not the cell's cost.
        dg.materialize(
            [kri_status], partition_key=tenant.slug, instance=instance,
            resources={"database": database}, run_config=QUIET,
        )  # fmt: skip
        for label in ("first run (drift opened/resolved)", "second run (steady state)"):
            observations, status = run_cell(instance, database, tenant.slug)
            fetch_ms, write_ms = last_run(app, tenant)
            print(
                f"{label}: {observations + status:.2f} s = kri_observations"
                f" {observations:.2f} s (in its transaction: reads + drift writes + KRIs"
                f" {fetch_ms} ms, observation write {write_ms} ms) + kri_status {status:.2f} s;"
                f" findings {drift_counts(app, tenant)}"
            )
    print("pure parts, steady state (best of 3):")
    parts(pipeline, tenant)
    app.close()
    pipeline.close()
    print(f"reproduce: .venv/bin/{command}")


if __name__ == "__main__":
    main()
