"""The SQL of the `kri_observations` asset: sources, source runs, staged values and observations.

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

from assets.kri.scheduling import backoff
from assets.tenants import Conn, PipelineInputError
from connectors.base import OBSERVATION_SCHEMA
from draxis.db.copy import stage_frame


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


def load_source(conn: Conn, tenant_slug: str, vendor_id: str) -> SourceRef:
    """The tenant's enabled source for `vendor_id` (tenant scope). Who may run it is the
    lease's business (`assets.kri.lease`), not a row lock's."""
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
# releases it in the same commit (`assets.kri.lease.hold_lease`), so no second merge of
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
    for this transaction, its row lock (`assets.kri.lease.hold_lease`).
    """
    stage_frame(conn, "kri_observation_stage", _OBSERVATION_STAGE, frame)
    # Statistics on the staged rows let the planner pick index probes for a small frame against
    # a large history, and a hash anti-join for a bulk load.
    conn.execute("analyze pg_temp.kri_observation_stage")
    row = conn.execute(_MERGE_OBSERVATIONS, {"source_id": source_id, "run_id": run_id}).fetchone()
    assert row is not None
    return WriteCounts(staged=frame.height, matched=int(row[0]), written=int(row[1]))


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


def enabled_vendor_ids(conn: Conn) -> list[str]:
    """The vendor ids of the tenant's enabled sources (tenant scope)."""
    rows = conn.execute(
        "select vendor_id from tenant.kri_source where enabled order by vendor_id"
    ).fetchall()
    return [str(r[0]) for r in rows]


_CONFIGURED_VENDORS = """
select distinct s.vendor_id
from tenant.kri_source s
join platform.tenants t on t.id = s.tenant_id
where t.deleted_at is null
order by 1
"""


def configured_vendor_ids(conn: Conn) -> list[str]:
    """Every vendor id some live tenant has a source for (platform scope)."""
    return [str(r[0]) for r in conn.execute(_CONFIGURED_VENDORS).fetchall()]
