"""Benchmark: board report generation for one tenant and for an MSP organization of 50 tenants.

    .venv/bin/python -m bench.reports [--tenants 50] [--kris 50] [--days 90] [--repeat 3]

Builds its own database (`draxis_bench_reports` on DATABASE_URL's cluster, or the embedded
one), loads a generated book of `--tenants` tenants (`bench.book`) into ONE organization, rolls
it up with the pipeline's own batch functions (which also backfill each tenant's posture history
from its KRI history: timed separately), then renders reports exactly as the `board_reports`
asset does (`assets.reports.asset.generate`: read under the owner's scope, typeset with Typst,
store) as `draxis_pipeline`. Prints the median of `--repeat` for: one tenant report, one
organization report over all tenants, and the PDF sizes and pages.
"""

from __future__ import annotations

import argparse
import statistics
import time
from uuid import UUID

import psycopg

from assets.posture.assets import roll_outcome_postures, roll_risk_postures, roll_tenant_postures
from assets.posture.batch import resolve_batch
from assets.reports import store
from assets.reports.asset import generate, request_report
from assets.status.asset import roll_statuses
from assets.tenants import Conn
from bench.book import generate as generate_book
from bench.db import fresh_database
from bench.rollups import load
from draxis.db.pool import connect
from draxis.db.roles import DbRole
from draxis.db.scope import Scope, scoped_transaction
from draxis.db.urls import role_conninfo

DATABASE = "draxis_bench_reports"


def _claim_one(conn: Conn, request_id: UUID) -> store.ReportRequest:
    """Claim exactly `request_id` (the bench renders requests one by one, as the asset does)."""
    with scoped_transaction(conn, Scope.platform()):
        row = conn.execute(
            "update platform.board_report set status = 'running', started_at = now()"
            " where id = %s returning id, kind,"
            " coalesce(tenant_id, organization_id, carrier_id), title, period",
            (request_id,),
        ).fetchone()
    assert row is not None
    return store.ReportRequest(row[0], row[1], row[2], row[3], row[4])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--tenants", type=int, default=50)
    parser.add_argument("--kris", type=int, default=50)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    print(
        f"1. book: {args.tenants} tenants × {args.kris} KRIs × {args.days} days, one organization"
    )
    settings = fresh_database(DATABASE)
    book = generate_book(args.tenants, args.kris, args.days)
    load(book, settings)
    with psycopg.connect(settings.database_url or "", autocommit=True) as admin:
        admin.execute(
            "update platform.tenants set organization_id ="
            " (select organization_id from platform.tenants order by slug limit 1)"
        )
        org_id, tenant_id, tenant_name = admin.execute(
            "select organization_id, id, name from platform.tenants order by slug limit 1"
        ).fetchone() or (None, None, None)
    assert org_id is not None
    assert tenant_id is not None
    slugs = book.tenants["slug"].to_list()

    with connect(role_conninfo(settings, DbRole.PIPELINE)) as conn:
        started = time.perf_counter()
        run = resolve_batch(conn, slugs)
        for batch in run.chunks():
            roll_statuses(conn, batch)
            roll_risk_postures(conn, batch)
            roll_outcome_postures(conn, batch)
            roll_tenant_postures(conn, batch)  # includes the history backfill
        rolled = time.perf_counter() - started
        with scoped_transaction(conn, Scope.org(org_id), read_only=True):
            days = conn.execute("select count(*) from tenant.posture_history").fetchone()
        print(
            f"   rollups + posture-history backfill of {args.tenants} tenants: {rolled:.2f} s"
            f" ({days[0] if days else 0} history rows)"
        )

        print(f"2. reports (median of {args.repeat}), rendered as the board_reports asset does")
        for kind, owner, scope, title in (
            ("tenant", tenant_id, Scope.tenant(tenant_id), str(tenant_name)),
            ("org", org_id, Scope.org(org_id), f"Bench MSP ({args.tenants} tenants)"),
        ):
            times, size = [], 0
            for _ in range(args.repeat):
                request = _claim_one(conn, request_report(conn, scope, kind, owner, title))
                started = time.perf_counter()
                size = generate(conn, request)
                times.append(time.perf_counter() - started)
            with scoped_transaction(conn, scope, read_only=True):
                pages = conn.execute(
                    "select pages from platform.board_report where status = 'done'"
                    " and kind = %s order by finished_at desc limit 1",
                    (kind,),
                ).fetchone()
            label = "1 tenant" if kind == "tenant" else f"MSP org of {args.tenants} tenants"
            print(
                f"   {label:<28} {statistics.median(times):6.3f} s"
                f"  (min {min(times):.3f}, max {max(times):.3f}); {size / 1024:.0f} KiB,"
                f" {pages[0] if pages else '?'} pages"
            )
    print(
        f"   reproduce: .venv/bin/python -m bench.reports --tenants {args.tenants}"
        f" --kris {args.kris} --days {args.days} --repeat {args.repeat}"
    )


if __name__ == "__main__":
    main()
