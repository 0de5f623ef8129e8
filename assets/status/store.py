"""The SQL of the `kri_status` asset: its inputs (KRIs and their latest values) and its merge.

Every function runs inside a transaction the caller opened with ``scoped_transaction``.
"""

from __future__ import annotations

import polars as pl

from assets.status.rules import KRI_COLUMNS, LATEST_COLUMNS
from assets.tenants import Conn
from draxis.db.copy import stage_frame


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
