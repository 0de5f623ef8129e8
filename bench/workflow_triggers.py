"""Benchmark: workflow trigger evaluation on a book of 1,000 tenants, and the time from a KRI's
colour to its owner's in-app notification.

    .venv/bin/python -m bench.workflow_triggers [--tenants 1000] [--kris 50] [--days 30]
                                                [--triggers 100]

Prints:
(a) a full recompute as ranged Dagster runs over every tenant partition (`kri_status_job`,
    `posture_job`), then `workflows_job` over the same range: the first evaluation (every red
    KRI of the book fires: one run, one task, one notification each) and a second one (nothing
    new: the steady state after every recompute), each with its statements; and the share the
    evaluation adds to the recompute. Every tenant has the demo workflow "KRI turns red".
(b) `--triggers` times: one green KRI of a tenant turns red (its thresholds move), then the
    tenant's `kri_status` and `workflows` partitions are materialized as the automation sensor
    would launch them; the time from the end of the kri_status materialization to the
    notification row, in wall clock and by the database's clocks (notification.created_at -
    kri_status.computed_at), p50 / p95. In a deployment the automation sensor's interval
    (30 s) and a run's launch come on top; they are Dagster's, not the evaluation's.

The book is loaded by `bench.rollups.load` into database `draxis_bench_workflows`.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from unittest.mock import patch

import dagster as dg
import psycopg

from assets.database import DraxisDatabase
from assets.partitions import TENANT_DIMENSION, tenant_partitions
from assets.posture.batch import resolve_batch
from assets.status.asset import kri_status
from assets.workflows.asset import evaluate, workflows
from bench.book import generate
from bench.db import fresh_database
from bench.rollups import _ranged_run, load
from cli.seed.workflows import DEMO_WORKFLOWS
from draxis.settings import Settings
from pipelines.jobs import kri_status_job, posture_job, workflows_job
from tests import statements

BENCH_DB = "draxis_bench_workflows"


def add_workflows(settings: Settings) -> None:
    """The demo's "KRI turns red" workflow in every tenant; every KRI owned by its tenant's
    admin (as the cluster superuser: bulk, like the book's load)."""
    name, document = DEMO_WORKFLOWS[0]
    with psycopg.connect(settings.database_url or "") as conn:
        conn.execute(
            "insert into tenant.workflow (tenant_id, name, current_version)"
            " select id, %s, 1 from platform.tenants",
            (name,),
        )
        conn.execute(
            "insert into tenant.workflow_version (tenant_id, workflow_id, version, document,"
            " trigger_type) select tenant_id, id, 1, %s, 'kri.colour_changed'"
            " from tenant.workflow",
            (json.dumps(document),),
        )
        conn.execute(
            "update tenant.kri k set owner_user_id = u.id from platform.users u"
            " where u.tenant_id = k.tenant_id"
        )


def recompute(slugs: list[str], instance: dg.DagsterInstance) -> None:
    n = len(slugs)
    print(f"\n(a) a full recompute of {n:,} tenants, then the workflow evaluation")
    print(f"   {'job (one ranged run)':<44} {'total':>8} {'per tenant':>11} {'statements':>10}")
    times: dict[str, float] = {}
    for label, job in (
        ("kri_status_job", kri_status_job),
        ("posture_job", posture_job),
        ("workflows_job (first: every red KRI fires)", workflows_job),
        ("workflows_job again (steady state)", workflows_job),
    ):
        statements.STATEMENTS.clear()
        elapsed, _ = _ranged_run(job, slugs, instance)
        times[label] = elapsed
        issued = len(statements.STATEMENTS)
        print(f"   {label:<44} {elapsed:7.2f}s {elapsed / n * 1000:8.2f} ms {issued:>10}")
    # The same evaluation called without Dagster: ours, apart from Dagster's per-partition
    # bookkeeping (a materialization event per partition).
    started = time.perf_counter()
    statements.STATEMENTS.clear()
    with statements.CountingDatabase().connection() as conn:
        for batch in resolve_batch(conn, slugs).chunks():
            evaluate(conn, batch)
    bare = time.perf_counter() - started
    label = "the steady-state evaluation, without Dagster"
    print(f"   {label:<44} {bare:7.2f}s {bare / n * 1000:8.2f} ms {len(statements.STATEMENTS):>10}")
    full = times["kri_status_job"] + times["posture_job"]
    steady = times["workflows_job again (steady state)"]
    first = times["workflows_job (first: every red KRI fires)"]
    print(
        f"   recompute {full:.2f} s; the evaluation adds {steady:.2f} s when nothing fires"
        f" ({steady / full:.0%}; {bare:.2f} s of it ours) and {first:.2f} s when every red KRI"
        " of the book fires at once"
    )


def _flip_to_red(settings: Settings, after: int) -> tuple[str, str]:
    """A green or amber KRI of the `after`-th tenant on (round the book) turned red by its
    thresholds: its tenant's slug and its id."""
    with psycopg.connect(settings.database_url or "") as conn:
        row = conn.execute(
            "select k.id, k.direction, t.slug from tenant.kri k"
            " join tenant.kri_status s on s.kri_id = k.id"
            " join platform.tenants t on t.id = k.tenant_id"
            " where s.status in ('green', 'amber')"
            " order by t.slug >= (select slug from platform.tenants order by slug"
            "                     offset %s limit 1) desc, t.slug, k.id limit 1",
            (after,),
        ).fetchone()
        assert row is not None, "no green or amber KRI left in the book"
        warn, critical = (-2.0, -1.0) if row[1] == "higher_is_worse" else (1e9 + 1, 1e9)
        conn.execute(
            "update tenant.kri set warn = %s, critical = %s where id = %s", (warn, critical, row[0])
        )
    return str(row[2]), str(row[0])


def latency(settings: Settings, slugs: list[str], triggers: int) -> None:
    database = DraxisDatabase(database_url=settings.database_url)
    wall: list[float] = []
    clock: list[float] = []
    with dg.DagsterInstance.ephemeral() as instance:
        assert tenant_partitions.name is not None
        instance.add_dynamic_partitions(tenant_partitions.name, slugs)
        for i in range(triggers):
            slug, kri = _flip_to_red(settings, i % len(slugs))
            status_done = 0.0
            for asset in (kri_status, workflows):
                result = dg.materialize(
                    [asset],
                    partition_key=slug,
                    instance=instance,
                    resources={"database": database},
                )
                assert result.success
                if asset is kri_status:
                    status_done = time.perf_counter()
            wall.append(time.perf_counter() - status_done)
            with psycopg.connect(settings.database_url or "") as conn:
                row = conn.execute(
                    "select extract(epoch from n.created_at - s.computed_at)"
                    " from tenant.workflow_run r"
                    " join tenant.notification n on n.subject_id = r.id"
                    " join tenant.kri_status s on s.kri_id = r.subject_id"
                    " where r.subject_id = %s and n.event = 'workflow.task_opened'",
                    (kri,),
                ).fetchall()
            assert len(row) == 1, f"expected one notification for KRI {kri}, got {len(row)}"
            clock.append(float(row[0][0]))
    print(f"\n(b) kri_status materialization -> in-app notification, {triggers} triggers")
    for label, samples in (("wall clock after kri_status", wall), ("database clocks", clock)):
        cuts = statistics.quantiles(samples, n=20, method="inclusive")
        print(
            f"   {label:<30} p50 {statistics.median(samples) * 1000:7.0f} ms"
            f"   p95 {cuts[18] * 1000:7.0f} ms   max {max(samples) * 1000:7.0f} ms"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1000)
    parser.add_argument("--kris", type=int, default=50)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--triggers", type=int, default=100)
    args = parser.parse_args()
    print(
        f"$ .venv/bin/python -m bench.workflow_triggers --tenants {args.tenants}"
        f" --kris {args.kris} --days {args.days} --triggers {args.triggers}"
    )
    book = generate(args.tenants, args.kris, args.days)
    settings = fresh_database(BENCH_DB)
    load(book, settings)
    add_workflows(settings)
    slugs = book.tenants["slug"].to_list()
    with (
        patch.dict(os.environ, {"DATABASE_URL": settings.database_url or ""}),
        dg.DagsterInstance.ephemeral() as instance,
    ):
        instance.add_dynamic_partitions(TENANT_DIMENSION, slugs)
        recompute(slugs, instance)
    latency(settings, slugs, args.triggers)


if __name__ == "__main__":
    main()
