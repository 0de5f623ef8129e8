"""`kri_observations`: a tenant's source, fetched by its connector, validated, written under RLS.

No transaction, row lock or connection is held while a vendor answers: a run leases its source
in a short transaction, returns its connection to the process's pool, fetches, then writes in
one transaction that checks the lease is still its own and releases it
(`assets.kri.lease`).
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import dagster as dg
import polars as pl

from assets import tenants as tenant_store
from assets.database import DraxisDatabase
from assets.kri import identity_apps, store
from assets.kri import lease as source_lease
from assets.kri.scheduling import backoff
from assets.partitions import tenant_source, tenant_source_partitions
from assets.run_spans import partition_span, rows_written, run_span
from assets.run_tags import REQUEST_TAG, TRIGGER_TAG
from assets.tenants import Conn
from assets.tprm import compute as compute_tprm
from connectors.base import Connector, ConnectorContext, RunResult
from connectors.contract import KriObservations
from connectors.credentials import open_credentials
from connectors.dispatcher import SourceMismatch, connector_for
from connectors.first_party import FIRST_PARTY_TYPES, TPRM
from connectors.registry import UnknownVendor
from connectors.runtime import connector_context
from connectors.validation import FrameValidationError, validate_frame
from draxis import telemetry
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings, get_settings

ASSET = "kri_observations"


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
    settings = get_settings()
    with run_span(context, ASSET):
        for key in keys:
            try:
                with partition_span(context, ASSET, str(key)) as span:
                    result = materialize_tenant_source(context, database, settings, key)
                    rows_written(span, ASSET, int(result["rows_written"]))
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
            _raise_failed(failed, totals, len(keys))
    return dg.MaterializeResult(
        metadata={**totals, "partitions": dg.MetadataValue.json(per_partition)}
    )


def _raise_failed(failed: dict[str, str], totals: dict[str, int], cells: int) -> None:
    listed = "; ".join(f"{k}: {v}" for k, v in sorted(failed.items()))
    raise dg.Failure(
        description=f"{len(failed)} of {cells} partitions failed: {listed}",
        metadata={**totals, "failed": dg.MetadataValue.json(failed)},
    )


@dataclass(frozen=True, slots=True)
class Cell:
    """One (tenant, source) cell of a run, once its `source_run` row exists."""

    key: str
    tenant: tenant_store.TenantRef
    source: store.SourceRef
    connector: Connector
    run_id: UUID  # the source_run row
    owner: str  # the Dagster run id: the lease's owner

    @property
    def scope(self) -> Scope:
        return Scope.tenant(self.tenant.id, self.tenant.organization_id)

    @property
    def label(self) -> str:
        return f"tenant {self.tenant.slug!r} source {self.source.vendor_id!r}"

    @property
    def first_party(self) -> bool:
        return self.connector.source_type in FIRST_PARTY_TYPES

    @property
    def computed(self) -> bool:
        """Values computed from the tenant's own tables in the run (`assets.tprm`)."""
        return self.connector.source_type == TPRM.source_type

    @property
    def write_scope(self) -> Scope:
        """A computed source's run also notifies users, which the pipeline role may do only in
        a batch scope: the batch of this one tenant, which sees exactly what its scope does."""
        return Scope.tenants([self.tenant.id]) if self.computed else self.scope


def _start(
    context: dg.AssetExecutionContext, conn: Conn, key: str, request_id: UUID | None
) -> Cell:
    """Resolve the cell and record its run as running (two short transactions)."""
    cell = tenant_source(key)
    trigger = context.run.tags.get(TRIGGER_TAG, "backfill")
    scope: Scope | None = None
    try:
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            tenant = tenant_store.resolve_tenant(conn, cell.tenant)
        scope = Scope.tenant(tenant.id, tenant.organization_id)
        with scoped_transaction(conn, scope):
            source = store.load_source(conn, tenant.slug, cell.source)
            try:
                connector = connector_for(source.vendor_id, source.source_type)
            except (UnknownVendor, SourceMismatch) as exc:
                raise tenant_store.PipelineInputError(str(exc)) from exc
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
        if not isinstance(exc, tenant_store.PipelineInputError):
            raise
        raise dg.Failure(description=str(exc), metadata={"partition": str(key)}) from exc
    return Cell(key, tenant, source, connector, run_id, context.run.run_id)


def _context(
    context: dg.AssetExecutionContext,
    settings: Settings,
    cell: Cell,
    inbound: pl.DataFrame | None = None,
) -> ConnectorContext:
    return connector_context(
        settings,
        tenant_id=cell.tenant.id,
        tenant_slug=cell.tenant.slug,
        source_id=cell.source.id,
        config=cell.source.config,
        credentials=open_credentials(
            settings, cell.tenant.id, cell.source.id, cell.source.credentials
        ),
        logger=context.log,
        inbound=inbound,
    )


def _validate(cell: Cell, fetched: RunResult) -> pl.DataFrame:
    return validate_frame(KriObservations, fetched.observations, cell.label)


def _write(
    conn: Conn, cell: Cell, fetched: RunResult, frame: pl.DataFrame, fetch_ms: int
) -> store.WriteCounts:
    """Merge the frame (and replace the source's application inventory, when the run reports
    one) and close the run as succeeded; the caller's transaction holds the lease."""
    writing = time.monotonic()
    counts = store.write_observations(conn, frame, cell.source.id, cell.run_id)
    summary: dict[str, Any] = {"kris": frame["kri_slug"].n_unique(), "observations": frame.height}
    warnings = fetched.warnings
    if fetched.applications is not None:
        apps = identity_apps.prepare(cell.source.vendor_id, fetched.applications)
        written = identity_apps.replace_identity_apps(
            conn, cell.tenant.id, cell.source.id, cell.source.vendor_id, apps.apps
        )
        summary["applications"] = written.listed
        warnings = (*warnings, *apps.warnings)
    outcome = store.RunOutcome(
        counts=counts,
        items_fetched=fetched.items_fetched,
        warnings=warnings,
        items_summary=summary,
        fetch_ms=fetch_ms,
        write_ms=int((time.monotonic() - writing) * 1000),
    )
    store.finish_source_run(conn, cell.run_id, outcome)
    source_lease.release_lease(conn, cell.source.id, cell.owner)
    return counts


def _run_first_party(
    context: dg.AssetExecutionContext, conn: Conn, settings: Settings, cell: Cell
) -> tuple[RunResult, store.WriteCounts]:
    """Pushed or uploaded values: lease, staged values, write and release in one transaction.
    Values that arrive meanwhile are the next run's; a concurrent run of the source waits.
    A computed source (`tprm`) takes the values it computes in this transaction instead."""
    with scoped_transaction(conn, cell.write_scope):
        source_lease.take_lease(conn, cell.label, cell.source.id, cell.owner, 60)
        fetching = time.monotonic()
        warnings: tuple[str, ...] = ()
        if cell.computed:
            computed = compute_tprm(conn, cell.tenant.id)
            inbound, warnings = computed.observations, computed.warnings
            context.log.info(f"{cell.label}: integration drift {computed.drift or 'skipped'}")
        else:
            inbound = store.take_staged(conn, cell.source.id, cell.run_id)
        fetched = cell.connector.run(_context(context, settings, cell, inbound))
        fetched = replace(fetched, warnings=fetched.warnings + warnings)
        frame = _validate(cell, fetched)
        fetch_ms = int((time.monotonic() - fetching) * 1000)
        return fetched, _write(conn, cell, fetched, frame, fetch_ms)


def _run_vendor(
    context: dg.AssetExecutionContext,
    database: DraxisDatabase,
    settings: Settings,
    cell: Cell,
) -> tuple[RunResult, store.WriteCounts]:
    """Lease (short transaction), fetch with no connection checked out, write under the lease."""
    with database.pooled() as conn, scoped_transaction(conn, cell.scope):
        source_lease.take_lease(
            conn, cell.label, cell.source.id, cell.owner, settings.source_lease_seconds
        )
    fetching = time.monotonic()
    fetched = cell.connector.run(_context(context, settings, cell))
    frame = _validate(cell, fetched)
    fetch_ms = int((time.monotonic() - fetching) * 1000)
    with database.pooled() as conn, scoped_transaction(conn, cell.scope):
        source_lease.hold_lease(conn, cell.label, cell.source.id, cell.owner)
        return fetched, _write(conn, cell, fetched, frame, fetch_ms)


def _fail(database: DraxisDatabase, cell: Cell, exc: Exception) -> None:
    """The run failed: its record says why, its lease goes back, the source backs off unless it
    was not to blame (busy: another run holds it; or it is gone)."""
    busy = isinstance(exc, tenant_store.PipelineInputError)
    with database.pooled() as conn, scoped_transaction(conn, cell.scope):
        store.fail_source_run(
            conn,
            cell.run_id,
            str(exc),
            None if busy else backoff(cell.source.consecutive_failures + 1).total_seconds(),
        )
        source_lease.release_lease(conn, cell.source.id, cell.owner)


def materialize_tenant_source(
    context: dg.AssetExecutionContext, database: DraxisDatabase, settings: Settings, key: str
) -> dict[str, Any]:
    """Run one (tenant, source) cell: run row → lease → fetch → validate → write → finish.

    Every outcome lands on the `source_run` row (and on the Run-now request that asked for it),
    failures included with the vendor's error text; a failure also backs the source off.
    """
    tags = context.run.tags
    # A request tag names one cell; a ranged run serving many cells carries none.
    request_id = UUID(tags[REQUEST_TAG]) if REQUEST_TAG in tags else None
    started = time.monotonic()
    vendor = tenant_source(key).source
    outcome = "failed"
    with (
        telemetry.current()
        .tracer("draxis.connectors")
        .start_as_current_span("draxis.connector.run", attributes={"vendor": vendor}) as span
    ):
        try:
            cell, fetched, counts = _run_cell(context, database, settings, key, request_id)
            outcome = "ok"
        finally:
            span.set_attribute("outcome", outcome)
            telemetry.current().instruments.connector_duration.record(
                time.monotonic() - started, {"vendor": vendor, "outcome": outcome}
            )
    result = {
        "tenant": cell.tenant.slug,
        "source": cell.source.vendor_id,
        "source_run": str(cell.run_id),
        "trigger": tags.get(TRIGGER_TAG, "backfill"),
        "rows_written": counts.written,
        "rows_skipped": counts.skipped,
        "rows_unchanged": counts.matched - counts.written,
        "items_fetched": fetched.items_fetched,
        "warnings": list(fetched.warnings),
        "seconds": round(time.monotonic() - started, 3),
    }
    context.log.info(f"materialized {key}: {result}")
    return result


def _run_cell(
    context: dg.AssetExecutionContext,
    database: DraxisDatabase,
    settings: Settings,
    key: str,
    request_id: UUID | None,
) -> tuple[Cell, RunResult, store.WriteCounts]:
    with database.pooled() as conn:
        cell = _start(context, conn, key, request_id)
        if cell.first_party:
            return cell, *_guarded(
                database, cell, lambda: _run_first_party(context, conn, settings, cell)
            )
    # The connection is back in the pool: the vendor path takes one for each short transaction.
    return cell, *_guarded(database, cell, lambda: _run_vendor(context, database, settings, cell))


def _guarded(
    database: DraxisDatabase,
    cell: Cell,
    work: Callable[[], tuple[RunResult, store.WriteCounts]],
) -> tuple[RunResult, store.WriteCounts]:
    try:
        return work()
    except Exception as exc:
        _fail(database, cell, exc)
        raise _failure(cell, exc) from exc


def _failure(cell: Cell, exc: Exception) -> dg.Failure:
    metadata: dict[str, Any] = {
        "tenant": cell.tenant.slug,
        "source": cell.source.vendor_id,
        "source_run": str(cell.run_id),
    }
    if isinstance(exc, FrameValidationError):
        metadata.update({f"failures: {k}": v for k, v in exc.failures.items()})
    return dg.Failure(description=str(exc), metadata=metadata)
