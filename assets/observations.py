"""`kri_observations`: a tenant's source, fetched by its connector, validated, written under RLS."""

import time
from datetime import UTC, datetime
from typing import Any

import dagster as dg

from assets.partitions import tenant_source, tenant_source_partitions
from assets.schemas import KriObservations
from assets.validation import FrameValidationError, validate_frame
from connectors.base import ConnectorContext
from connectors.registry import get_connector
from draxis.db.scope import Scope, scoped_transaction
from pipelines import store
from pipelines.resources import DraxisDatabase


@dg.asset(
    partitions_def=tenant_source_partitions,
    backfill_policy=dg.BackfillPolicy.multi_run(max_partitions_per_run=50),
    group_name="kri",
    kinds={"polars", "postgres"},
    description="KRI values a tenant's source produced, one row per KRI and observation time.",
)
def kri_observations(
    context: dg.AssetExecutionContext, database: DraxisDatabase
) -> dg.MaterializeResult:  # type: ignore[type-arg]
    per_partition: dict[str, Any] = {}
    totals = {"rows_written": 0, "rows_skipped": 0, "items_fetched": 0}
    for key in context.partition_keys:
        result = materialize_tenant_source(context, database, key)
        per_partition[str(key)] = result
        for name in totals:
            totals[name] += int(result[name])
    return dg.MaterializeResult(
        metadata={**totals, "partitions": dg.MetadataValue.json(per_partition)}
    )


def materialize_tenant_source(
    context: dg.AssetExecutionContext, database: DraxisDatabase, key: str
) -> dict[str, Any]:
    """Run one (tenant, source) cell: run row → lock → fetch → validate → write → finish."""
    cell = tenant_source(key)
    connector = get_connector(cell.source)
    started = time.monotonic()
    with database.connection() as conn:
        try:
            with scoped_transaction(conn, Scope.platform(), read_only=True):
                tenant = store.resolve_tenant(conn, cell.tenant)
            scope = Scope.tenant(tenant.id, tenant.organization_id)
            with scoped_transaction(conn, scope):
                source = store.load_source(conn, tenant.slug, cell.source)
                run_id = store.start_source_run(conn, tenant.id, source.id, context.run.run_id)
        except store.PipelineInputError as exc:
            raise dg.Failure(description=str(exc), metadata={"partition": str(key)}) from exc
        try:
            with scoped_transaction(conn, scope):
                source = store.load_source(conn, tenant.slug, cell.source, lock=True)
                ctx = ConnectorContext(
                    tenant_id=tenant.id,
                    tenant_slug=tenant.slug,
                    source_id=source.id,
                    config=source.config,
                    clock=lambda: datetime.now(UTC),
                    logger=context.log,
                )
                fetched = connector.run(ctx)
                frame = validate_frame(
                    KriObservations,
                    fetched.observations,
                    f"tenant {tenant.slug!r} source {cell.source!r}",
                )
                counts = store.write_observations(conn, frame, source.id, run_id)
                store.finish_source_run(conn, run_id, counts, fetched.items_fetched)
        except Exception as exc:
            with scoped_transaction(conn, scope):
                store.fail_source_run(conn, run_id, str(exc))
            metadata: dict[str, Any] = {
                "tenant": tenant.slug,
                "source": cell.source,
                "source_run": str(run_id),
            }
            if isinstance(exc, FrameValidationError):
                metadata.update({f"failures: {k}": v for k, v in exc.failures.items()})
            raise dg.Failure(description=str(exc), metadata=metadata) from exc
    result = {
        "tenant": tenant.slug,
        "source": cell.source,
        "source_run": str(run_id),
        "rows_written": counts.written,
        "rows_skipped": counts.skipped,
        "rows_unchanged": counts.matched - counts.written,
        "items_fetched": fetched.items_fetched,
        "seconds": round(time.monotonic() - started, 3),
    }
    context.log.info(f"materialized {key}: {result}")
    return result
