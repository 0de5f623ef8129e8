"""`carrier_portfolio`: each carrier's book of consenting insured tenants (the projection job).

Reads every tenant's posture in the platform scope — the one place the pipeline reads across
tenants for a customer-facing view, so the read is audited — then writes each carrier's rows
under that carrier's scope, where carrier RLS guards them. Runs on its own schedule
(`carrier_portfolio_schedule`), not on every posture change.
"""

import json
from uuid import UUID

import dagster as dg

from assets.database import DraxisDatabase
from assets.portfolio import store as portfolio_store
from assets.portfolio.rules import portfolio
from assets.posture.assets import tenant_posture
from assets.run_spans import rows_written, run_span
from draxis.db.scope import Scope, scoped_transaction


@dg.asset(
    deps=[tenant_posture],
    group_name="carrier",
    kinds={"polars", "postgres"},
    description="Per carrier, one row per consenting insured tenant: posture, 30-day trend,"
    " freshness. Never findings, credentials or panel content.",
)
def carrier_portfolio(
    context: dg.AssetExecutionContext, database: DraxisDatabase
) -> dg.MaterializeResult:  # type: ignore[type-arg]
    with run_span(context, "carrier_portfolio") as span, database.connection() as conn:
        with scoped_transaction(conn, Scope.platform()):
            inputs = portfolio_store.read_inputs(conn)
            carriers = portfolio_store.carrier_ids(conn)
            conn.execute(
                "insert into platform.platform_audit_logs (scope, action, target_type, detail)"
                " values ('platform', 'carrier.projection_read', 'tenant_posture', %s)",
                (json.dumps({"tenants": inputs["consents"]["tenant_id"].n_unique()}),),
            )
        book = portfolio(**inputs)
        written: dict[str, int] = {}
        for carrier_id in carriers:
            rows = book.filter(book["carrier_id"] == carrier_id)
            with scoped_transaction(conn, Scope.carrier(UUID(carrier_id))):
                written[carrier_id] = portfolio_store.write_book(conn, rows)
        rows_written(span, "carrier_portfolio", sum(written.values()))
    context.log.info(f"projected {book.height} insured tenants for {len(carriers)} carriers")
    return dg.MaterializeResult(
        metadata={"carriers": len(carriers), "insured_tenants": book.height}
    )
