"""The SQL of the posture rollups: read a batch of tenants' risk models, replace their postures.

Runs inside the caller's transaction, scoped to one tenant or to a batch of them
(`Scope.tenants`); RLS limits every statement to the scope, so each read is one statement for
the whole batch. Frames carry ids as text (and `tenant_id` wherever the rules need it), the
shape `assets.posture.rules` expects. Writes stage the frame with COPY and replace exactly the
batch's rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import polars as pl
import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from assets.posture.contributions import RISK_CONTRIBUTION_COLUMNS
from assets.posture.rules import (
    ACCEPTANCE_COLUMNS,
    ACCEPTED_RISK_POSTURE_COLUMNS,
    CONTROL_COLUMNS,
    CONTROL_RISK_LINK_COLUMNS,
    KRI_RISK_LINK_COLUMNS,
    KRI_STATUS_COLUMNS,
    OUTCOME_COLUMNS,
    OUTCOME_POSTURE_COLUMNS,
    RISK_COLUMNS,
    RISK_OUTCOME_LINK_COLUMNS,
    RISK_POSTURE_COLUMNS,
    TENANT_POSTURE_COLUMNS,
)
from draxis.db.copy import stage_frame

Conn = psycopg.Connection[TupleRow]


def _frame(
    conn: Conn, query: str, schema: Mapping[str, pl.DataType], params: Any = None
) -> pl.DataFrame:
    return pl.DataFrame(conn.execute(query, params).fetchall(), schema=dict(schema), orient="row")


def kri_statuses(conn: Conn) -> pl.DataFrame:
    """Every KRI in scope with its tenant and colour; one not assessed yet is no_data."""
    return _frame(
        conn,
        "select k.tenant_id::text, k.id::text, coalesce(s.status, 'no_data') from tenant.kri k"
        " left join tenant.kri_status s on s.tenant_id = k.tenant_id and s.kri_id = k.id",
        {"tenant_id": pl.String(), **KRI_STATUS_COLUMNS},
    )


def risk_inputs(conn: Conn) -> dict[str, pl.DataFrame]:
    """Risks (closed ones left out: they no longer threaten anything) and their links."""
    return {
        "kri_status": kri_statuses(conn),
        "kri_risk_links": _frame(
            conn, "select kri_id::text, risk_id::text from tenant.kri_risk", KRI_RISK_LINK_COLUMNS
        ),
        "controls": _frame(
            conn, "select id::text, effectiveness from tenant.control", CONTROL_COLUMNS
        ),
        "control_risk_links": _frame(
            conn,
            "select control_id::text, risk_id::text from tenant.control_risk",
            CONTROL_RISK_LINK_COLUMNS,
        ),
        "risks": _frame(
            conn,
            "select tenant_id::text, id::text from tenant.risk where status <> 'closed'",
            RISK_COLUMNS,
        ),
    }


def stored_risk_posture(conn: Conn) -> pl.DataFrame:
    columns = ", ".join(f"{c}::text" if c.endswith("_id") else c for c in RISK_POSTURE_COLUMNS)
    return _frame(
        conn,
        f"select {columns} from tenant.risk_posture",
        RISK_POSTURE_COLUMNS,
    )


def acceptances(conn: Conn) -> pl.DataFrame:
    """Every risk acceptance in scope that may still count: the approved ones (the rule reads
    their status and expiry; the others never count, and the table keeps all history)."""
    return _frame(
        conn,
        "select tenant_id::text, risk_id::text, status, expires_at from tenant.risk_acceptance"
        " where status = 'approved'",
        ACCEPTANCE_COLUMNS,
    )


def database_now(conn: Conn) -> datetime:
    """The transaction's time by the database's clock, the one every writer shares."""
    row = conn.execute("select now()").fetchone()
    assert row is not None
    now: datetime = row[0]
    return now


def outcome_inputs(conn: Conn) -> dict[str, pl.DataFrame]:
    return {
        "risk_posture": stored_risk_posture(conn),
        "risk_outcome_links": _frame(
            conn,
            "select risk_id::text, outcome_id::text from tenant.risk_outcome",
            RISK_OUTCOME_LINK_COLUMNS,
        ),
        "outcomes": _frame(
            conn, "select tenant_id::text, id::text from tenant.outcome", OUTCOME_COLUMNS
        ),
    }


def replace_rows(conn: Conn, table: str, frame: pl.DataFrame, schema: str = "tenant") -> int:
    """Make `<schema>.<table>` hold exactly `frame`'s rows for the scope's owner (one transaction;
    RLS limits the delete and the inserts to the tenant or carrier in scope)."""
    target = sql.Identifier(schema, table)
    conn.execute(sql.SQL("delete from {}").format(target))
    if frame.is_empty():
        return 0
    columns = frame.columns
    statement = sql.SQL("insert into {} ({}) values ({})").format(
        target,
        sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(", ").join(sql.Placeholder() * len(columns)),
    )
    with conn.cursor() as cursor:
        cursor.executemany(statement, frame.rows())
    return frame.height


def sql_types(columns: Mapping[str, pl.DataType]) -> dict[str, str]:
    """The SQL type each rollup column is staged as: ids are uuids, lists are uuid arrays."""

    def one(name: str, dtype: pl.DataType) -> str:
        if isinstance(dtype, pl.List):
            return "uuid[]"
        if name.endswith("_id"):
            return "uuid"
        if dtype == pl.Int64():
            return "integer"
        if dtype == pl.Date():
            return "date"
        return "double precision" if dtype == pl.Float64() else "text"

    return {name: one(name, dtype) for name, dtype in columns.items()}


RISK_POSTURE_TYPES = sql_types(RISK_POSTURE_COLUMNS)
ACCEPTED_RISK_POSTURE_TYPES = sql_types(ACCEPTED_RISK_POSTURE_COLUMNS)
RISK_CONTRIBUTION_TYPES = sql_types(RISK_CONTRIBUTION_COLUMNS)
OUTCOME_POSTURE_TYPES = sql_types(OUTCOME_POSTURE_COLUMNS)
TENANT_POSTURE_TYPES = sql_types(TENANT_POSTURE_COLUMNS)


def replace_batch(
    conn: Conn, table: str, types: Mapping[str, str], frame: pl.DataFrame, tenant_ids: list[str]
) -> int:
    """Make `tenant.<table>` hold exactly `frame`'s rows for the tenants `tenant_ids`: COPY into
    a temporary table, delete those tenants' rows, insert the staged ones (three statements, in
    the caller's transaction; RLS also bounds both to the scope). List columns are staged as
    Postgres array literals. Returns the rows written."""
    staged = frame.with_columns(
        pl.concat_str(pl.lit("{"), pl.col(c).list.join(","), pl.lit("}")).alias(c)
        for c, dtype in frame.schema.items()
        if isinstance(dtype, pl.List)
    )
    stage = f"{table}_stage"
    stage_frame(conn, stage, dict(types), staged)
    columns = sql.SQL(", ").join(map(sql.Identifier, types))
    target = sql.Identifier("tenant", table)
    conn.execute(
        sql.SQL("delete from {} where tenant_id = any(%s::uuid[])").format(target), (tenant_ids,)
    )
    conn.execute(
        sql.SQL("insert into {} ({}) select {} from {}").format(
            target, columns, columns, sql.Identifier(stage)
        )
    )
    return frame.height


def unlinked_kris(conn: Conn) -> dict[str, list[str]]:
    """Per tenant id, slugs of KRIs missing a risk or an outcome link: they show, but do not
    roll up fully. Tenants with none are absent."""
    return _slugs_by_tenant(
        conn,
        "select k.tenant_id::text, k.slug from tenant.kri k"
        " where not exists (select 1 from tenant.kri_risk l"
        "  where l.tenant_id = k.tenant_id and l.kri_id = k.id)"
        " or not exists (select 1 from tenant.kri_outcome l"
        "  where l.tenant_id = k.tenant_id and l.kri_id = k.id)"
        " order by k.tenant_id, k.slug",
    )


def not_current_kris(conn: Conn) -> dict[str, list[str]]:
    """Per tenant id, slugs of KRIs whose colour is stale or no_data (or not assessed yet)."""
    return _slugs_by_tenant(
        conn,
        "select k.tenant_id::text, k.slug from tenant.kri k left join tenant.kri_status s"
        " on s.tenant_id = k.tenant_id and s.kri_id = k.id"
        " where coalesce(s.status, 'no_data') in ('stale', 'no_data')"
        " order by k.tenant_id, k.slug",
    )


def _slugs_by_tenant(conn: Conn, query: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for tenant_id, slug in conn.execute(query).fetchall():
        found.setdefault(str(tenant_id), []).append(str(slug))
    return found


def model_revisions(conn: Conn) -> dict[str, int]:
    """Each live tenant's risk-model revision, by slug (platform scope): an edit to the model
    is what makes the postures stale."""
    rows = conn.execute(
        "select t.slug, m.revision from tenant.model_revision m"
        " join platform.tenants t on t.id = m.tenant_id where t.deleted_at is null"
    ).fetchall()
    return {str(slug): int(revision) for slug, revision in rows}


def tenants_without_history(conn: Conn, tenant_ids: list[str]) -> list[str]:
    """Those of `tenant_ids` with no posture history before today: the ones to backfill."""
    rows = conn.execute(
        "select t from unnest(%s::uuid[]) t where not exists (select 1 from"
        " tenant.posture_history h where h.tenant_id = t and h.day < current_date)",
        (tenant_ids,),
    ).fetchall()
    return [str(r[0]) for r in rows]


def daily_readings(conn: Conn, tenant_ids: list[str], days: int) -> pl.DataFrame:
    """Each KRI's last reading of each UTC day over the last `days` days, for `tenant_ids`."""
    return _frame(
        conn,
        "select o.tenant_id::text, o.kri_id::text, (o.observed_at at time zone 'UTC')::date,"
        " (array_agg(o.value order by o.observed_at desc))[1], max(o.observed_at)"
        " from tenant.kri_observation o where o.tenant_id = any(%s::uuid[])"
        " and o.observed_at >= current_date - %s::int group by 1, 2, 3",
        {
            "tenant_id": pl.String(),
            "kri_id": pl.String(),
            "day": pl.Date(),
            "value": pl.Float64(),
            "observed_at": pl.Datetime("us", "UTC"),
        },
        (tenant_ids, days),
    )


def write_backfill(conn: Conn, frame: pl.DataFrame) -> int:
    """Insert backfilled history rows; a day that already has a row keeps it. Rows written."""
    if frame.is_empty():
        return 0
    stage_frame(
        conn,
        "posture_backfill_stage",
        {
            "tenant_id": "uuid",
            "day": "date",
            "posture_score": "double precision",
            "kri_count": "integer",
            "stale_share": "double precision",
            "risks_critical": "integer",
            "risks_high": "integer",
        },
        frame,
    )
    written = conn.execute(
        "insert into tenant.posture_history (tenant_id, day, posture_score, kri_count,"
        " stale_share, risks_critical, risks_high) select tenant_id, day, posture_score,"
        " kri_count, stale_share, risks_critical, risks_high from pg_temp.posture_backfill_stage"
        " on conflict (tenant_id, day) do nothing"
    ).rowcount
    return int(written)
