"""The SQL of the carrier projection: read postures across tenants, write each carrier's book."""

from __future__ import annotations

import polars as pl
import psycopg
from psycopg.rows import TupleRow

from assets.posture.store import replace_rows

Conn = psycopg.Connection[TupleRow]

_CONSENTS = """
select i.carrier_id::text, t.id::text, t.name
from carrier.insured_tenants i join platform.tenants t on t.id = i.tenant_id
where i.revoked_at is null and t.deleted_at is null
"""
_POSTURES = """
select tenant_id::text, posture_score, risks_critical, risks_high, kri_count, stale_share,
       computed_at
from tenant.tenant_posture
"""
_MONTH_AGO = """
select distinct on (tenant_id) tenant_id::text, posture_score
from tenant.posture_history where day <= current_date - 30
order by tenant_id, day desc
"""


def read_inputs(conn: Conn) -> dict[str, pl.DataFrame]:
    """Consents, postures and month-old scores of every tenant (platform scope)."""
    return {
        "consents": pl.DataFrame(
            conn.execute(_CONSENTS).fetchall(),
            schema={"carrier_id": pl.String, "tenant_id": pl.String, "tenant_name": pl.String},
            orient="row",
        ),
        "postures": pl.DataFrame(
            conn.execute(_POSTURES).fetchall(),
            schema={
                "tenant_id": pl.String,
                "posture_score": pl.Float64,
                "risks_critical": pl.Int64,
                "risks_high": pl.Int64,
                "kri_count": pl.Int64,
                "stale_share": pl.Float64,
                "computed_at": pl.Datetime("us", "UTC"),
            },
            orient="row",
        ),
        "month_ago": pl.DataFrame(
            conn.execute(_MONTH_AGO).fetchall(),
            schema={"tenant_id": pl.String, "posture_score": pl.Float64},
            orient="row",
        ),
    }


def carrier_ids(conn: Conn) -> list[str]:
    return [str(r[0]) for r in conn.execute("select id from carrier.carriers order by id")]


def write_book(conn: Conn, frame: pl.DataFrame) -> int:
    """Replace the current carrier's rows (the carrier scope's RLS limits both statements)."""
    return replace_rows(conn, "portfolio", frame, schema="carrier")


def record_history(conn: Conn, tenant_ids: list[str]) -> None:
    """Upsert today's posture-history row of each of `tenant_ids` from its stored posture: one
    statement for the batch (tenant or batch scope; RLS bounds it to the scope)."""
    conn.execute(
        "insert into tenant.posture_history (tenant_id, day, posture_score, kri_count,"
        " stale_share, risks_critical, risks_high)"
        " select tenant_id, current_date, posture_score, kri_count, stale_share, risks_critical,"
        " risks_high from tenant.tenant_posture where tenant_id = any(%s::uuid[])"
        " on conflict (tenant_id, day) do update set posture_score = excluded.posture_score,"
        " kri_count = excluded.kri_count, stale_share = excluded.stale_share,"
        " risks_critical = excluded.risks_critical, risks_high = excluded.risks_high,"
        " computed_at = now()",
        (tenant_ids,),
    )
