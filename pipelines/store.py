"""The SQL the pipeline runs: tenants, sources, source runs, observations and statuses.

Every function runs inside a transaction the caller opened with ``scoped_transaction``; none of
them sets a scope. Row-level security decides what each statement can see and write.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

import polars as pl
import psycopg
from psycopg.rows import TupleRow

from assets.status_rules import KRI_COLUMNS, LATEST_COLUMNS
from connectors.base import OBSERVATION_SCHEMA
from pipelines.copy import stage_frame
from pipelines.scheduling import backoff

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
    credentials: bytes | None = None  # sealed; `connectors.credentials.open_credentials`
    consecutive_failures: int = 0
    source_type: str = "vendor_api"


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


def resolve_tenants(conn: Conn, slugs: list[str]) -> list[TenantRef]:
    """The active tenants among `slugs` (platform scope); deleted or unknown ones are left out."""
    rows = conn.execute(
        "select id, slug, organization_id from platform.tenants"
        " where slug = any(%s) and deleted_at is null order by slug",
        (slugs,),
    ).fetchall()
    return [TenantRef(id=r[0], slug=r[1], organization_id=r[2]) for r in rows]


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


def load_source(conn: Conn, tenant_slug: str, vendor_id: str) -> SourceRef:
    """The tenant's enabled source for `vendor_id` (tenant scope). Who may run it is the
    lease's business (`pipelines.source_lease`), not a row lock's."""
    row = conn.execute(
        "select id, vendor_id, schedule, config, credentials, consecutive_failures, source_type"
        " from tenant.kri_source where vendor_id = %s and enabled",
        (vendor_id,),
    ).fetchone()
    if row is None:
        raise PipelineInputError(
            f"tenant {tenant_slug!r} has no enabled {vendor_id!r} source configured"
        )
    return SourceRef(
        id=row[0],
        vendor_id=row[1],
        schedule=row[2],
        config=dict(row[3]),
        credentials=None if row[4] is None else bytes(row[4]),
        consecutive_failures=int(row[5]),
        source_type=str(row[6]),
    )


def start_source_run(
    conn: Conn,
    tenant_id: UUID,
    source_id: UUID,
    dagster_run_id: str,
    *,
    trigger: str = "backfill",
    request_id: UUID | None = None,
) -> UUID:
    """Record the run as running; a Run-now request learns which run serves it."""
    row = conn.execute(
        "insert into tenant.source_run (tenant_id, source_id, dagster_run_id, status, trigger,"
        " request_id) values (%s, %s, %s, 'running', %s, %s) returning id",
        (tenant_id, source_id, dagster_run_id, trigger, request_id),
    ).fetchone()
    assert row is not None
    run_id = UUID(str(row[0]))
    if request_id is not None:
        conn.execute(
            "update tenant.run_request set dagster_run_id = %s, source_run_id = %s"
            " where id = %s and source_id = %s",
            (dagster_run_id, run_id, request_id, source_id),
        )
    return run_id


@dataclass(frozen=True, slots=True)
class RunOutcome:
    counts: WriteCounts
    items_fetched: int
    warnings: tuple[str, ...]
    items_summary: dict[str, Any]
    fetch_ms: int
    write_ms: int


def finish_source_run(conn: Conn, run_id: UUID, outcome: RunOutcome) -> None:
    """The run succeeded: its record, its request, and the source's health (failures cleared)."""
    row = conn.execute(
        "update tenant.source_run set status = 'succeeded', finished_at = now(),"
        " rows_written = %s, rows_skipped = %s, items_fetched = %s, warnings = %s,"
        " items_summary = %s, fetch_ms = %s, write_ms = %s where id = %s"
        " returning source_id, request_id",
        (
            outcome.counts.written,
            outcome.counts.skipped,
            outcome.items_fetched,
            list(outcome.warnings),
            json.dumps(outcome.items_summary),
            outcome.fetch_ms,
            outcome.write_ms,
            run_id,
        ),
    ).fetchone()
    assert row is not None
    conn.execute(
        "update tenant.kri_source set last_run_at = now(), last_run_status = 'succeeded',"
        " consecutive_failures = 0, backoff_until = null where id = %s",
        (row[0],),
    )
    if row[1] is not None:
        conn.execute(
            "update tenant.run_request set status = 'succeeded', finished_at = now() where id = %s",
            (row[1],),
        )


def fail_source_run(conn: Conn, run_id: UUID, error: str, backoff_seconds: float | None) -> None:
    """The run failed: its record and request carry the error; the source backs off for
    `backoff_seconds` (None: the source is not to blame, e.g. another run held it)."""
    row = conn.execute(
        "update tenant.source_run set status = 'failed', finished_at = now(), error = %s"
        " where id = %s returning source_id, request_id",
        (error[:4000], run_id),
    ).fetchone()
    assert row is not None
    if backoff_seconds is not None:
        conn.execute(
            "update tenant.kri_source set last_run_at = now(), last_run_status = 'failed',"
            " consecutive_failures = consecutive_failures + 1,"
            " backoff_until = now() + make_interval(secs => %s) where id = %s",
            (backoff_seconds, row[0]),
        )
    if row[1] is not None:
        conn.execute(
            "update tenant.run_request set status = 'failed', finished_at = now(), error = %s"
            " where id = %s",
            (error[:4000], row[1]),
        )


def fail_request(conn: Conn, request_id: UUID, error: str) -> int:
    """A Run-now request whose run could not even start (no such source, source busy), or
    whose run died; returns 1 if it was still open."""
    cur = conn.execute(
        "update tenant.run_request set status = 'failed', finished_at = now(), error = %s"
        " where id = %s and status in ('pending', 'launched')",
        (error[:4000], request_id),
    )
    return cur.rowcount


_OPEN_SOURCE_RUNS = """
select r.id, s.consecutive_failures
from tenant.source_run r
join tenant.kri_source s on s.tenant_id = r.tenant_id and s.id = r.source_id
where r.status = 'running' and r.dagster_run_id = %(run)s
  and s.vendor_id = any(%(vendors)s) and r.started_at >= %(since)s
order by r.id
for update of r
"""


def fail_open_source_runs(
    conn: Conn, dagster_run_id: str, vendors: list[str], since: datetime, error: str
) -> list[UUID]:
    """The tenant's source runs of `vendors` that a Dagster run (now ended) left `running`,
    failed with `error` like any failed run (request failed, source backed off)."""
    rows = conn.execute(
        _OPEN_SOURCE_RUNS, {"run": dagster_run_id, "vendors": vendors, "since": since}
    ).fetchall()
    for run_id, failures in rows:
        fail_source_run(conn, run_id, error, backoff(int(failures) + 1).total_seconds())
    return [UUID(str(r[0])) for r in rows]


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
# only the source's lease holder merges, and only that source writes its KRIs: the write
# transaction locks the source row and checks the lease is its own before it merges, and
# releases it in the same commit (`pipelines.source_lease.hold_lease`), so no second merge of
# the source can run until this one has committed. A run whose lease lapsed and was taken over
# writes nothing. Were that ever broken, the primary key still refuses the duplicate and the
# whole transaction rolls back.
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
    alone, so re-running a partition writes nothing. The caller holds the source's lease and,
    for this transaction, its row lock (`pipelines.source_lease.hold_lease`).
    """
    stage_frame(conn, "kri_observation_stage", _OBSERVATION_STAGE, frame)
    # Statistics on the staged rows let the planner pick index probes for a small frame against
    # a large history, and a hash anti-join for a bulk load.
    conn.execute("analyze pg_temp.kri_observation_stage")
    row = conn.execute(_MERGE_OBSERVATIONS, {"source_id": source_id, "run_id": run_id}).fetchone()
    assert row is not None
    return WriteCounts(staged=frame.height, matched=int(row[0]), written=int(row[1]))


def read_status_inputs(conn: Conn) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every KRI in scope (a tenant, or a batch of them) with its tenant and its source's
    schedule, and each KRI's latest observation: two statements, whatever the batch's size.

    The latest value is one backward probe of the observation key per KRI, not a scan of the
    history (180 days × 50 KRIs per tenant in the benchmark's book)."""
    kris = conn.execute(
        "select k.tenant_id::text, k.id::text, k.direction, k.warn, k.critical, s.schedule"
        " from tenant.kri k left join tenant.kri_source s on s.id = k.source_id"
    ).fetchall()
    latest = conn.execute(
        "select k.id::text, o.value, o.observed_at from tenant.kri k"
        " cross join lateral (select value, observed_at from tenant.kri_observation o"
        "  where o.tenant_id = k.tenant_id and o.kri_id = k.id"
        "  order by o.observed_at desc limit 1) o"
    ).fetchall()
    return (
        pl.DataFrame(kris, schema={"tenant_id": pl.String(), **KRI_COLUMNS}, orient="row"),
        pl.DataFrame(latest, schema=LATEST_COLUMNS, orient="row"),
    )


_STATUS_STAGE = {
    "tenant_id": "uuid",
    "kri_id": "uuid",
    "status": "text",
    "value": "double precision",
    "observed_at": "timestamptz",
}

# The tenant comes from the data: under a batch scope `platform.current_tenant_id()` is NULL.
# RLS still checks every row against the scope. Only changed rows move `computed_at`.
_MERGE_STATUSES = """
with written as (
    insert into tenant.kri_status (tenant_id, kri_id, status, value, observed_at)
    select tenant_id, kri_id, status, value, observed_at
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
    """Upsert the KRI statuses of `frame` (tenant_id on every row): one COPY to a temporary
    table and one merge. Returns how many rows changed."""
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


def take_staged(conn: Conn, source_id: UUID, run_id: UUID) -> pl.DataFrame:
    """The source's staged values not yet written, marked as this run's (tenant scope, in the
    transaction that holds the source's lease and writes them). The same KRI and time sent twice
    keeps the later submission. If the run fails, the transaction rolls the marks back and the
    values wait for the next run."""
    rows = conn.execute(
        "update tenant.staged_value set consumed_by = %s"
        " where source_id = %s and consumed_by is null"
        " returning kri_slug, value, observed_at, detail::text, submitted_at, batch_id::text,"
        " row_number",
        (run_id, source_id),
    ).fetchall()
    frame = pl.DataFrame(
        rows,
        schema={
            **OBSERVATION_SCHEMA,
            "submitted_at": pl.Datetime("us", "UTC"),
            "batch_id": pl.String(),
            "row_number": pl.Int64(),
        },
        orient="row",
    )
    return (
        frame.sort("submitted_at", "batch_id", "row_number")
        .unique(["kri_slug", "observed_at"], keep="last", maintain_order=True)
        .select(list(OBSERVATION_SCHEMA))
    )
