"""A KRI's colour recomputed the moment its thresholds (or direction, or source) are saved.

The same rule as the pipeline's `kri_status` asset (`draxis.kri_colour.kri_status`), applied to
this one KRI's latest value in the saving transaction, so the dashboard shows the new colour at
once; the pipeline recomputes it on the model change that the save also records (and agrees).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import polars as pl

from api.access import Tx
from draxis.kri_colour import KRI_COLUMNS, LATEST_COLUMNS, kri_status

_KRI = """
select k.id::text, k.direction, k.warn, k.critical, s.schedule
from tenant.kri k left join tenant.kri_source s on s.id = k.source_id
where k.id = %s
"""
_LATEST = """
select kri_id::text, value, observed_at from tenant.kri_observation
where kri_id = %s order by observed_at desc limit 1
"""
_UPSERT = """
insert into tenant.kri_status (tenant_id, kri_id, status, value, observed_at)
values (platform.current_tenant_id(), %s, %s, %s, %s)
on conflict (tenant_id, kri_id) do update
    set status = excluded.status, value = excluded.value,
        observed_at = excluded.observed_at, computed_at = now()
    where (kri_status.status, kri_status.value, kri_status.observed_at)
          is distinct from (excluded.status, excluded.value, excluded.observed_at)
"""


def recolour(tx: Tx, kri_id: UUID) -> None:
    """Upsert `kri_id`'s colour from its stored thresholds and latest value (tenant scope)."""
    kri = tx.conn.execute(_KRI, (kri_id,)).fetchall()
    if not kri:
        return
    latest = tx.conn.execute(_LATEST, (kri_id,)).fetchall()
    now_row = tx.conn.execute("select now()").fetchone()
    assert now_row is not None
    now: datetime = now_row[0]
    frame = kri_status(
        pl.DataFrame(kri, schema=KRI_COLUMNS, orient="row"),
        pl.DataFrame(latest, schema=LATEST_COLUMNS, orient="row"),
        now,
    )
    status, value, observed_at = frame.select("status", "value", "observed_at").row(0)
    tx.conn.execute(_UPSERT, (kri_id, status, value, observed_at))
