"""`kri_status`: each KRI's colour per tenant, recomputed when its sources land."""

from collections.abc import Iterator

import dagster as dg
import polars as pl

from assets import tenants as tenant_store
from assets.database import DraxisDatabase
from assets.kri.asset import kri_observations
from assets.partitions import TENANT_DIMENSION, tenant_partitions
from assets.posture.batch import Outcome, TenantBatch, batch_transaction, outcome, resolve_batch
from assets.run_spans import rows_written, run_span
from assets.status import store as status_store
from assets.status.rules import kri_status as compute_kri_status
from assets.status.schemas import KriStatuses
from assets.tenants import Conn
from connectors.validation import validate_frame
from draxis.dashboard_document import refresh_dashboards


@dg.asset(
    partitions_def=tenant_partitions,
    automation_condition=dg.AutomationCondition.eager(),
    kinds={"polars", "postgres"},
    deps=[
        dg.AssetDep(
            kri_observations,
            partition_mapping=dg.MultiToSingleDimensionPartitionMapping(
                partition_dimension_name=TENANT_DIMENSION
            ),
        )
    ],
    group_name="kri",
    description="Green / amber / red / stale / no_data per KRI, by the rule in PRODUCT.md.",
)
def kri_status(context: dg.AssetExecutionContext, database: DraxisDatabase) -> Iterator[Outcome]:
    totals: dict[str, int] = {}
    changed = 0
    with run_span(context, "kri_status") as span, database.connection() as conn:
        run = resolve_batch(conn, list(context.partition_keys))
        for batch in run.chunks():
            statuses, batch_changed = roll_statuses(conn, batch)
            changed += batch_changed
            for status, count in status_store.status_counts(statuses).items():
                totals[status] = totals.get(status, 0) + count
        rows_written(span, "kri_status", changed)
    result: dg.MaterializeResult[None] = dg.MaterializeResult(
        metadata={"statuses_changed": changed, **totals}
    )
    yield from outcome(context, run, result)


def roll_statuses(conn: Conn, batch: TenantBatch) -> tuple[pl.DataFrame, int]:
    """One batch's KRI colours in one transaction scoped to its tenants: two reads, one Polars
    computation, one validation, one COPY and one merge. Returns the colours and how many
    stored rows changed."""
    with batch_transaction(conn, batch):
        kris, latest = status_store.read_status_inputs(conn)
        statuses = validate_frame(
            KriStatuses,
            compute_kri_status(kris, latest, tenant_store.now_utc(conn)),
            f"kri_status for {batch.label}",
        )
        changed = status_store.write_statuses(conn, statuses)
        refresh_dashboards(conn)  # the dashboard's stored document, with its colours
    return statuses, changed
