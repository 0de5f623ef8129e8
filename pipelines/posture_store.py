"""The SQL of the posture rollups: read one tenant's risk model, replace its posture rows.

Runs inside the caller's tenant-scoped transaction; RLS limits every statement to that tenant.
Frames carry ids as text, the shape `assets.rollup_rules` expects.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl
import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from assets.rollup_rules import (
    CONTROL_COLUMNS,
    CONTROL_RISK_LINK_COLUMNS,
    KRI_RISK_LINK_COLUMNS,
    KRI_STATUS_COLUMNS,
    OUTCOME_COLUMNS,
    RISK_COLUMNS,
    RISK_OUTCOME_LINK_COLUMNS,
    RISK_POSTURE_COLUMNS,
)

Conn = psycopg.Connection[TupleRow]


def _frame(conn: Conn, query: str, schema: Mapping[str, pl.DataType]) -> pl.DataFrame:
    return pl.DataFrame(conn.execute(query).fetchall(), schema=dict(schema), orient="row")


def kri_statuses(conn: Conn) -> pl.DataFrame:
    """Every KRI of the tenant with its colour; one the pipeline has not assessed is no_data."""
    return _frame(
        conn,
        "select k.id::text, coalesce(s.status, 'no_data') from tenant.kri k"
        " left join tenant.kri_status s on s.tenant_id = k.tenant_id and s.kri_id = k.id",
        KRI_STATUS_COLUMNS,
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


def unlinked_kris(conn: Conn) -> list[str]:
    """Slugs of KRIs missing a risk or an outcome link: they show, but do not roll up fully."""
    rows = conn.execute(
        "select k.slug from tenant.kri k"
        " where not exists (select 1 from tenant.kri_risk l where l.kri_id = k.id)"
        " or not exists (select 1 from tenant.kri_outcome l where l.kri_id = k.id)"
        " order by k.slug"
    ).fetchall()
    return [str(r[0]) for r in rows]


def not_current_kris(conn: Conn) -> list[str]:
    """Slugs of KRIs whose colour is stale or no_data (or not assessed yet)."""
    rows = conn.execute(
        "select k.slug from tenant.kri k left join tenant.kri_status s"
        " on s.tenant_id = k.tenant_id and s.kri_id = k.id"
        " where coalesce(s.status, 'no_data') in ('stale', 'no_data') order by k.slug"
    ).fetchall()
    return [str(r[0]) for r in rows]
