"""The `board_reports` asset: render every queued board report to PDF and store it.

A request row (`platform.board_report`, status queued) comes from a user's "Generate now" or
from the monthly schedule (run tag `draxis/monthly`, which first queues one per tenant,
organization and carrier). Per request: claim it (platform scope), read its figures in one
read-only transaction under its owner's scope, typeset outside any transaction, then store the
PDF (or the failure's reason) under the same scope. One report failing fails only its row.
"""

from datetime import UTC, datetime
from uuid import UUID

import dagster as dg

from assets.database import DraxisDatabase
from assets.reports import store
from assets.reports.content import portfolio_report, tenant_report
from assets.reports.render import render_pdf
from assets.tenants import Conn
from draxis.db.scope import Scope, scoped_transaction

MONTHLY_TAG = "draxis/monthly"
CLAIM_BATCH = 500
KIND_TITLE = {
    "tenant": "Tenant board report",
    "org": "MSP organization report",
    "carrier": "Carrier portfolio report",
}


def owner_scope(request: store.ReportRequest) -> Scope:
    """The scope a report is read and written in: its owner's, never wider."""
    if request.kind == "tenant":
        return Scope.tenant(request.owner_id)
    if request.kind == "org":
        return Scope.org(request.owner_id)
    return Scope.carrier(request.owner_id)


def generate(conn: Conn, request: store.ReportRequest, now: datetime | None = None) -> int:
    """Render and store one claimed request; returns the PDF's size. Raises on failure (the
    caller records it)."""
    now = now or datetime.now(UTC)
    scope = owner_scope(request)
    with scoped_transaction(conn, scope, read_only=True):
        if request.kind == "tenant":
            figures = store.tenant_figures(conn)
        elif request.kind == "org":
            figures = store.org_figures(conn, request.owner_id)
        else:
            figures = store.carrier_figures(conn)
    if request.kind == "tenant":
        data = tenant_report(request.title, request.period, figures, now)
    else:
        data = portfolio_report(
            KIND_TITLE[request.kind], request.title, request.period, figures, now
        )
    pdf, pages = render_pdf(data)
    with scoped_transaction(conn, scope):
        store.finish(conn, request.id, pdf, pages)
    return len(pdf)


def process_queue(conn: Conn, log: dg.DagsterLogManager | None = None) -> dict[str, int]:
    """Claim and render queued requests until none is left; counts of done and failed."""
    done = failed = 0
    while True:
        with scoped_transaction(conn, Scope.platform()):
            claimed = store.claim_queued(conn, CLAIM_BATCH)
        if not claimed:
            return {"done": done, "failed": failed}
        for request in claimed:
            try:
                generate(conn, request)
                done += 1
            except Exception as exc:
                failed += 1
                if log:
                    log.warning(f"board report {request.id} ({request.kind}) failed: {exc}")
                with scoped_transaction(conn, owner_scope(request)):
                    store.fail(conn, request.id, f"{type(exc).__name__}: {exc}")


def queue_monthly(conn: Conn, now: datetime) -> int:
    """Queue this month's report for every tenant, organization and carrier (once)."""
    with scoped_transaction(conn, Scope.platform()):
        return store.enqueue_monthly(conn, now.strftime("%Y-%m"))


@dg.asset(
    kinds={"typst", "postgres"},
    group_name="reports",
    description="PDF board reports per tenant, MSP organization and carrier portfolio: renders"
    " every queued request (Generate now, or the monthly schedule) and stores it.",
)
def board_reports(
    context: dg.AssetExecutionContext, database: DraxisDatabase
) -> dg.MaterializeResult[None]:
    with database.connection() as conn:
        queued = 0
        if context.run.tags.get(MONTHLY_TAG):
            queued = queue_monthly(conn, datetime.now(UTC))
        counts = process_queue(conn, context.log)
    return dg.MaterializeResult(metadata={"queued_monthly": queued, **counts})


def request_report(conn: Conn, scope: Scope, kind: str, owner: UUID, title: str) -> UUID:
    """Queue a report under `scope` (as the API does): for tests, benches and the CLI."""
    column = {"tenant": "tenant_id", "org": "organization_id", "carrier": "carrier_id"}[kind]
    with scoped_transaction(conn, scope):
        row = conn.execute(
            f"insert into platform.board_report (kind, {column}, title, period)"
            " values (%s, %s, %s, to_char(now(), 'YYYY-MM')) returning id",
            (kind, owner, title),
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))
