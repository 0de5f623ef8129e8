"""Close what a dead run left open: its `source_run` rows and the Run-now request it served.

A run closes its own rows, success or failure, unless its worker dies first (killed, out of
memory, host restarted) or it is cancelled mid-step: then the rows stay `running`, the source
looks "already running" and its request "launched" for good. Dagster's run monitoring fails a
run whose worker is gone (`pipelines.run_workers`); the `dead_runs_sensor` then reads the runs
that ended FAILURE or CANCELED since its cursor and, for each (tenant, source) cell the run
covered, fails the rows still `running` under that Dagster run id, with the run's own failure
message as the reason, backs the source off as any failure does, and releases the lease the run
still held on the source (`assets.kri.lease`), so a dead run blocks its source for one
sensor tick after Dagster notices, not for the lease's full term (its expiry is the fallback
should the sensor be down). The next scheduled run of the source then runs as usual.
Idempotent: a row already closed, or a lease already released or taken over, is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from uuid import UUID

import dagster as dg
from dagster._core.storage.tags import (
    ASSET_PARTITION_RANGE_END_TAG,
    ASSET_PARTITION_RANGE_START_TAG,
    PARTITION_NAME_TAG,
)

from assets import tenants as tenant_store
from assets.database import DraxisDatabase
from assets.kri import lease as source_lease
from assets.kri import store
from assets.partitions import TenantSource, tenant_source, tenant_source_partitions
from assets.run_tags import REQUEST_TAG
from draxis.db.scope import Scope, scoped_transaction

ENDED = [dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
# Runs read per tick, oldest update first; the rest wait for the next tick.
BATCH = 100
# A first tick (no cursor) looks back this far.
FIRST_LOOK_BACK = timedelta(days=1)
# A source_run row is written after its Dagster run was created; allow for clock skew.
SKEW = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class EndedRun:
    run_id: str
    status: str
    created_at: datetime
    cells: tuple[TenantSource, ...]
    request_id: UUID | None
    reason: str


def _cell(key: str) -> TenantSource | None:
    """A `source|tenant` key's cell; None for a key of another partitioning (a tenant alone)."""
    return tenant_source(key) if len(key.split("|")) == 2 else None


def run_cells(
    tags: dict[str, str], instance: dg.DagsterInstance | None = None
) -> tuple[TenantSource, ...]:
    """The (tenant, source) cells a run's partition tags name; none for other partitionings."""
    if PARTITION_NAME_TAG in tags:
        cell = _cell(tags[PARTITION_NAME_TAG])
        return () if cell is None else (cell,)
    start = tags.get(ASSET_PARTITION_RANGE_START_TAG, "")
    end = tags.get(ASSET_PARTITION_RANGE_END_TAG, "")
    first, last = _cell(start), _cell(end)
    if first is None or last is None:
        return ()
    try:
        keys = tenant_source_partitions.get_partition_keys_in_range(
            dg.PartitionKeyRange(start, end), dynamic_partitions_store=instance
        )
    except Exception:  # a bound's tenant partition is gone: only the bounds can be named
        return (first, last)
    return tuple(tenant_source(k) for k in keys)


def request_of(tags: dict[str, str]) -> UUID | None:
    try:
        return UUID(tags[REQUEST_TAG]) if REQUEST_TAG in tags else None
    except ValueError:
        return None


def reason(run_id: str, status: str, message: str | None) -> str:
    """What the source_run row and the request will say."""
    said = (message or "no reason recorded").strip()
    return f"Dagster run {run_id} ended {status} without finishing this source: {said}"


def _ending_message(instance: dg.DagsterInstance, run_id: str) -> str | None:
    records = instance.get_records_for_run(
        run_id,
        of_type={dg.DagsterEventType.RUN_FAILURE, dg.DagsterEventType.RUN_CANCELED},
        limit=1,
        ascending=False,
    ).records
    if not records:
        return None
    entry = records[0].event_log_entry
    return entry.dagster_event.message if entry.dagster_event else entry.user_message


def ended_runs(
    instance: dg.DagsterInstance, after: datetime
) -> tuple[list[EndedRun], datetime | None]:
    """Runs that ended FAILURE or CANCELED after `after` and named tenant-source cells, and the
    update time of the last run read (the next cursor)."""
    records = instance.get_run_records(
        filters=dg.RunsFilter(statuses=ENDED, updated_after=after),
        limit=BATCH,
        order_by="update_timestamp",
        ascending=True,
    )
    ended: list[EndedRun] = []
    for record in records:
        run = record.dagster_run
        tags = dict(run.tags)
        cells = run_cells(tags, instance)
        if not cells:
            continue
        ended.append(
            EndedRun(
                run_id=run.run_id,
                status=run.status.value,
                created_at=record.create_timestamp,
                cells=cells,
                request_id=request_of(tags),
                reason=reason(run.run_id, run.status.value, _ending_message(instance, run.run_id)),
            )
        )
    last = records[-1].update_timestamp if records else None
    return ended, last


def close_run(database: DraxisDatabase, run: EndedRun) -> int:
    """Fail what `run` left open, one transaction per tenant; returns how many rows (source runs,
    requests and leases) it closed."""
    vendors: dict[str, list[str]] = {}
    for cell in run.cells:
        vendors.setdefault(cell.tenant, []).append(cell.source)
    closed = 0
    with database.connection() as conn:
        with scoped_transaction(conn, Scope.platform(), read_only=True):
            tenants = tenant_store.resolve_tenants(conn, list(vendors))
        for tenant in tenants:
            with scoped_transaction(conn, Scope.tenant(tenant.id, tenant.organization_id)):
                closed += len(
                    store.fail_open_source_runs(
                        conn,
                        run.run_id,
                        vendors[tenant.slug],
                        run.created_at - SKEW,
                        run.reason,
                    )
                )
                closed += source_lease.release_leases_of(conn, run.run_id, vendors[tenant.slug])
                if run.request_id is not None and len(run.cells) == 1:
                    # Also when the run died before its source_run row existed.
                    closed += store.fail_request(conn, run.request_id, run.reason)
    return closed


def reap(
    instance: dg.DagsterInstance, database: DraxisDatabase, after: datetime
) -> tuple[list[str], datetime | None]:
    """Close the rows of runs that ended since `after`: the run ids that had something open,
    and the next cursor (None: nothing new)."""
    ended, last = ended_runs(instance, after)
    reaped = [run.run_id for run in ended if close_run(database, run)]
    return reaped, last
