"""`kri_observations`: a tenant's source, fetched by its connector, validated, written under RLS."""

import time
from typing import Any
from uuid import UUID

import dagster as dg

from assets.partitions import tenant_source, tenant_source_partitions
from assets.run_tags import REQUEST_TAG, TRIGGER_TAG
from assets.schemas import KriObservations
from assets.validation import FrameValidationError, validate_frame
from connectors.credentials import open_credentials
from connectors.dispatcher import SourceMismatch, connector_for
from connectors.first_party import FIRST_PARTY_TYPES
from connectors.registry import UnknownVendor
from connectors.runtime import connector_context
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from pipelines import store
from pipelines.resources import DraxisDatabase
from pipelines.scheduling import backoff
from pipelines.store import Conn


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
    failed: dict[str, str] = {}
    totals = {"rows_written": 0, "rows_skipped": 0, "items_fetched": 0}
    keys = context.partition_keys
    settings = Settings()
    # One connection for the run; each cell gets its own transactions on it.
    with database.connection() as conn:
        for key in keys:
            try:
                result = materialize_tenant_source(context, conn, settings, key)
            except dg.Failure as failure:
                if len(keys) == 1:
                    raise
                # A ranged run goes on with its other cells: one failing source must not hold
                # up the rest of a refresh. Its source_run row already says what went wrong.
                failed[str(key)] = failure.description or "failed"
                continue
            per_partition[str(key)] = result
            for name in totals:
                totals[name] += int(result[name])
    if failed:
        listed = "; ".join(f"{k}: {v}" for k, v in sorted(failed.items()))
        raise dg.Failure(
            description=f"{len(failed)} of {len(keys)} partitions failed: {listed}",
            metadata={**totals, "failed": dg.MetadataValue.json(failed)},
        )
    return dg.MaterializeResult(
        metadata={**totals, "partitions": dg.MetadataValue.json(per_partition)}
    )


def materialize_tenant_source(
    context: dg.AssetExecutionContext, conn: Conn, settings: Settings, key: str
) -> dict[str, Any]:
    """Run one (tenant, source) cell: run row → lock → fetch → validate → write → finish.

    Every outcome lands on the `source_run` row (and on the Run-now request that asked for it),
    failures included with the vendor's error text; a failure also backs the source off.
    """
    cell = tenant_source(key)
    tags = context.run.tags
    trigger = tags.get(TRIGGER_TAG, "backfill")
    # A request tag names one cell; a ranged run serving many cells carries none.
    request_id = UUID(tags[REQUEST_TAG]) if REQUEST_TAG in tags else None
    started = time.monotonic()
    scope: Scope | None = None
    try:
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            tenant = store.resolve_tenant(conn, cell.tenant)
        scope = Scope.tenant(tenant.id, tenant.organization_id)
        with scoped_transaction(conn, scope):
            source = store.load_source(conn, tenant.slug, cell.source)
            try:
                connector = connector_for(source.vendor_id, source.source_type)
            except (UnknownVendor, SourceMismatch) as exc:
                raise store.PipelineInputError(str(exc)) from exc
            run_id = store.start_source_run(
                conn,
                tenant.id,
                source.id,
                context.run.run_id,
                trigger=trigger,
                request_id=request_id,
            )
    except Exception as exc:
        # Before the run row exists: the request that asked for this run must not stay open.
        if request_id is not None:
            with scoped_transaction(conn, scope or Scope.platform()):
                store.fail_request(conn, request_id, str(exc))
        if not isinstance(exc, store.PipelineInputError):
            raise
        raise dg.Failure(description=str(exc), metadata={"partition": str(key)}) from exc
    try:
        with scoped_transaction(conn, scope):
            first_party = connector.source_type in FIRST_PARTY_TYPES
            source = store.load_source(conn, tenant.slug, cell.source, lock=True, wait=first_party)
            ctx = connector_context(
                settings,
                tenant_id=tenant.id,
                tenant_slug=tenant.slug,
                source_id=source.id,
                config=source.config,
                credentials=open_credentials(settings, tenant.id, source.id, source.credentials),
                logger=context.log,
                inbound=store.take_staged(conn, source.id, run_id) if first_party else None,
            )
            fetching = time.monotonic()
            fetched = connector.run(ctx)
            frame = validate_frame(
                KriObservations,
                fetched.observations,
                f"tenant {tenant.slug!r} source {cell.source!r}",
            )
            writing = time.monotonic()
            counts = store.write_observations(conn, frame, source.id, run_id)
            outcome = store.RunOutcome(
                counts=counts,
                items_fetched=fetched.items_fetched,
                warnings=fetched.warnings,
                items_summary={
                    "kris": frame["kri_slug"].n_unique(),
                    "observations": frame.height,
                },
                fetch_ms=int((writing - fetching) * 1000),
                write_ms=int((time.monotonic() - writing) * 1000),
            )
            store.finish_source_run(conn, run_id, outcome)
    except Exception as exc:
        busy = isinstance(exc, store.PipelineInputError)
        with scoped_transaction(conn, scope):
            store.fail_source_run(
                conn,
                run_id,
                str(exc),
                None if busy else backoff(source.consecutive_failures + 1).total_seconds(),
            )
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
        "trigger": trigger,
        "rows_written": counts.written,
        "rows_skipped": counts.skipped,
        "rows_unchanged": counts.matched - counts.written,
        "items_fetched": fetched.items_fetched,
        "warnings": list(fetched.warnings),
        "seconds": round(time.monotonic() - started, 3),
    }
    context.log.info(f"materialized {key}: {result}")
    return result
