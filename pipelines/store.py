"""The SQL the pipeline runs: tenants, sources, source runs, observations and statuses.

Every function runs inside a transaction the caller opened with ``scoped_transaction``; none of
them sets a scope. Row-level security decides what each statement can see and write.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import polars as pl
import psycopg
from psycopg.rows import TupleRow

from assets.status_rules import KRI_COLUMNS, LATEST_COLUMNS
from pipelines.copy import stage_frame

Conn = psycopg.Connection[TupleRow]


class PipelineInputError(LookupError):
    """A partition names something that is not there (tenant, source); the run cannot proceed."""


@dataclass(frozen=True, slots=True)
class TenantRef:
    id: UUID
    slug: str
    organization_id: UUID


@dataclass(frozen=True, slots=True)
class SourceRef:
    id: UUID
    vendor_id: str
    schedule: str
    config: dict[str, Any]


@dataclass(frozen=True, slots=True)
class WriteCounts:
    staged: int
    matched: int
    written: int

    @property
    def skipped(self) -> int:
        """Rows whose KRI slug the tenant has not wired to this source."""
        return self.staged - self.matched


def list_tenant_slugs(conn: Conn) -> list[str]:
    """Active tenants (platform scope)."""
    rows = conn.execute(
        "select slug from platform.tenants where deleted_at is null order by slug"
    ).fetchall()
    return [str(r[0]) for r in rows]


def resolve_tenant(conn: Conn, slug: str) -> TenantRef:
    """The tenant a partition key names (platform scope)."""
    row = conn.execute(
        "select id, slug, organization_id from platform.tenants"
        " where slug = %s and deleted_at is null",
        (slug,),
    ).fetchone()
    if row is None:
        raise PipelineInputError(f"tenant {slug!r} does not exist or was deleted")
    return TenantRef(id=row[0], slug=row[1], organization_id=row[2])


def load_source(conn: Conn, tenant_slug: str, vendor_id: str, *, lock: bool = False) -> SourceRef:
    """The tenant's enabled source for `vendor_id` (tenant scope), optionally row-locked.

    With `lock`, a source another run holds raises instead of waiting (FOR UPDATE SKIP LOCKED),
    so two instances never run the same source at once.
    """
    query = (
        "select id, vendor_id, schedule, config from tenant.kri_source"
        " where vendor_id = %s and enabled"
    )
    if lock:
        query += " for update skip locked"
    row = conn.execute(query, (vendor_id,)).fetchone()
    if row is None:
        if (
            lock
            and conn.execute(
                "select 1 from tenant.kri_source where vendor_id = %s and enabled", (vendor_id,)
            ).fetchone()
        ):
            raise PipelineInputError(
                f"tenant {tenant_slug!r} source {vendor_id!r} is being run by another run"
            )
        raise PipelineInputError(
            f"tenant {tenant_slug!r} has no enabled {vendor_id!r} source configured"
        )
    return SourceRef(id=row[0], vendor_id=row[1], schedule=row[2], config=dict(row[3]))


def start_source_run(conn: Conn, tenant_id: UUID, source_id: UUID, dagster_run_id: str) -> UUID:
    row = conn.execute(
        "insert into tenant.source_run (tenant_id, source_id, dagster_run_id, status)"
        " values (%s, %s, %s, 'running') returning id",
        (tenant_id, source_id, dagster_run_id),
    ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def finish_source_run(conn: Conn, run_id: UUID, counts: WriteCounts, items_fetched: int) -> None:
    conn.execute(
        "update tenant.source_run set status = 'succeeded', finished_at = now(),"
        " rows_written = %s, rows_skipped = %s, items_fetched = %s where id = %s",
        (counts.written, counts.skipped, items_fetched, run_id),
    )


def fail_source_run(conn: Conn, run_id: UUID, error: str) -> None:
    conn.execute(
        "update tenant.source_run set status = 'failed', finished_at = now(), error = %s"
        " where id = %s",
        (error[:4000], run_id),
    )


_OBSERVATION_STAGE = {
    "kri_slug": "text",
    "value": "double precision",
    "observed_at": "timestamptz",
    "detail": "jsonb",
}

# One statement, so it is atomic and sees one snapshot. Changed rows are updated, new rows
# inserted in primary-key order; unchanged rows are left alone, so a re-run writes nothing.
# An anti-join rather than ON CONFLICT: ON CONFLICT's speculative insertion made the merge of a
# fresh million rows take 12.6 s instead of 8.9 s here (bench/write_path.py). It is safe because
# one run at a time holds the source's row lock and only that source writes its KRIs; were that
# ever broken,
# the primary key still refuses the duplicate and the whole transaction rolls back.
_MERGE_OBSERVATIONS = """
with matched as materialized (
    select k.tenant_id, k.id as kri_id, s.observed_at, s.value, s.detail
    from pg_temp.kri_observation_stage s
    join tenant.kri k on k.slug = s.kri_slug and k.source_id = %(source_id)s
), updated as (
    update tenant.kri_observation o
    set value = m.value, detail = m.detail, source_id = %(source_id)s, run_id = %(run_id)s,
        recorded_at = now()
    from matched m
    where o.tenant_id = m.tenant_id and o.kri_id = m.kri_id and o.observed_at = m.observed_at
      and (o.value, o.detail) is distinct from (m.value, m.detail)
    returning 1
), inserted as (
    insert into tenant.kri_observation
        (tenant_id, kri_id, observed_at, value, source_id, run_id, detail)
    select m.tenant_id, m.kri_id, m.observed_at, m.value, %(source_id)s, %(run_id)s, m.detail
    from matched m
    where not exists (
        select 1 from tenant.kri_observation o
        where o.tenant_id = m.tenant_id and o.kri_id = m.kri_id and o.observed_at = m.observed_at)
    order by m.kri_id, m.observed_at
    returning 1
)
select (select count(*) from matched),
       (select count(*) from updated) + (select count(*) from inserted)
"""


def write_observations(
    conn: Conn, frame: pl.DataFrame, source_id: UUID, run_id: UUID | None
) -> WriteCounts:
    """Merge a validated observations frame into `tenant.kri_observation`, idempotently.

    COPY into a temporary table, then one statement that updates changed rows and inserts new
    ones under the caller's tenant scope. Rows whose value and detail are unchanged are left
    alone, so re-running a partition writes nothing. The caller holds the source's row lock.
    """
    stage_frame(conn, "kri_observation_stage", _OBSERVATION_STAGE, frame)
    # Statistics on the staged rows let the planner pick index probes for a small frame against
    # a large history, and a hash anti-join for a bulk load.
    conn.execute("analyze pg_temp.kri_observation_stage")
    row = conn.execute(_MERGE_OBSERVATIONS, {"source_id": source_id, "run_id": run_id}).fetchone()
    assert row is not None
    return WriteCounts(staged=frame.height, matched=int(row[0]), written=int(row[1]))


def read_status_inputs(conn: Conn) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The tenant's KRIs with their source's schedule, and each KRI's latest observation."""
    kris = conn.execute(
        "select k.id::text, k.direction, k.warn, k.critical, s.schedule"
        " from tenant.kri k left join tenant.kri_source s on s.id = k.source_id"
    ).fetchall()
    latest = conn.execute(
        "select distinct on (kri_id) kri_id::text, value, observed_at"
        " from tenant.kri_observation order by kri_id, observed_at desc"
    ).fetchall()
    return (
        pl.DataFrame(kris, schema=KRI_COLUMNS, orient="row"),
        pl.DataFrame(latest, schema=LATEST_COLUMNS, orient="row"),
    )


_STATUS_STAGE = {
    "kri_id": "uuid",
    "status": "text",
    "value": "double precision",
    "observed_at": "timestamptz",
}

_MERGE_STATUSES = """
with written as (
    insert into tenant.kri_status (tenant_id, kri_id, status, value, observed_at)
    select (select platform.current_tenant_id()), kri_id, status, value, observed_at
    from pg_temp.kri_status_stage
    on conflict (tenant_id, kri_id) do update
        set status = excluded.status, value = excluded.value,
            observed_at = excluded.observed_at, computed_at = now()
        where (kri_status.status, kri_status.value, kri_status.observed_at)
              is distinct from (excluded.status, excluded.value, excluded.observed_at)
    returning 1
)
select count(*) from written
"""


def write_statuses(conn: Conn, frame: pl.DataFrame) -> int:
    """Upsert the tenant's KRI statuses; returns how many changed."""
    stage_frame(conn, "kri_status_stage", _STATUS_STAGE, frame)
    row = conn.execute(_MERGE_STATUSES).fetchone()
    assert row is not None
    return int(row[0])


def status_counts(frame: pl.DataFrame) -> dict[str, int]:
    counts = frame.group_by("status").len()
    return {str(s): int(n) for s, n in counts.iter_rows()}


def now_utc(conn: Conn) -> datetime:
    """The database's clock, so every process agrees on what 'stale' means."""
    row = conn.execute("select now()").fetchone()
    assert row is not None
    value = row[0]
    assert isinstance(value, datetime)
    return value
