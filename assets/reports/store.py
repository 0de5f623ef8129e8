"""The SQL of board reports: claim queued requests, read each report's figures under its owner's
scope, store the PDF or the failure. Every function runs in the caller's scoped transaction.

Which scope reads what: a tenant report reads the tenant's own rows (tenant scope); an MSP
organization report reads its tenants' postures and history (org scope, migrations 0003/0014);
a carrier report reads the carrier's projected book and its consenting insureds' history
(carrier scope). RLS, not these queries, bounds each to its owner.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow, dict_row

Conn = psycopg.Connection[TupleRow]
HISTORY_DAYS = 90
TOP_RISKS = 5
REASONS_PER_RISK = 3


@dataclass(frozen=True, slots=True)
class ReportRequest:
    id: UUID
    kind: str  # tenant | org | carrier
    owner_id: UUID  # the tenant, organization or carrier
    title: str
    period: str  # YYYY-MM


def claim_queued(conn: Conn, limit: int) -> list[ReportRequest]:
    """Mark up to `limit` queued requests running, oldest first (platform scope); concurrent
    claimers skip each other's rows."""
    rows = conn.execute(
        "update platform.board_report set status = 'running', started_at = now()"
        " where id in (select id from platform.board_report where status = 'queued'"
        "  order by requested_at limit %s for update skip locked)"
        " returning id, kind, coalesce(tenant_id, organization_id, carrier_id), title, period",
        (limit,),
    ).fetchall()
    return [ReportRequest(r[0], r[1], r[2], r[3], r[4]) for r in rows]


def finish(conn: Conn, request_id: UUID, pdf: bytes, pages: int) -> None:
    conn.execute(
        "update platform.board_report set status = 'done', pdf = %s, pages = %s,"
        " finished_at = now(), error = null where id = %s",
        (pdf, pages, request_id),
    )


def fail(conn: Conn, request_id: UUID, error: str) -> None:
    conn.execute(
        "update platform.board_report set status = 'failed', error = %s, finished_at = now()"
        " where id = %s",
        (error[:2000], request_id),
    )


def enqueue_monthly(conn: Conn, period: str) -> int:
    """One queued request per live tenant, organization with live tenants and carrier, for
    `period`, unless one exists already (platform scope), each titled with its owner's name (the
    pipeline reads organizations' names since migration 0017). Returns how many were queued."""
    return int(
        conn.execute(
            """
            insert into platform.board_report (kind, tenant_id, organization_id, carrier_id,
                                               title, period)
            select kind, tenant_id, organization_id, carrier_id, title, %(p)s from (
                select 'tenant' as kind, id as tenant_id, null::uuid as organization_id,
                       null::uuid as carrier_id, name as title
                from platform.tenants where deleted_at is null
                union all
                select 'org', null, t.organization_id, null, o.name
                from platform.tenants t join platform.organizations o on o.id = t.organization_id
                where t.deleted_at is null group by t.organization_id, o.name
                union all
                select 'carrier', null, null, id, name from carrier.carriers
            ) wanted
            where not exists (select 1 from platform.board_report b
                where b.period = %(p)s and b.kind = wanted.kind
                  and b.tenant_id is not distinct from wanted.tenant_id
                  and b.organization_id is not distinct from wanted.organization_id
                  and b.carrier_id is not distinct from wanted.carrier_id)
            """,
            {"p": period},
        ).rowcount
    )


def _dicts(conn: Conn, query: str, params: Any = None) -> list[dict[str, Any]]:
    return conn.cursor(row_factory=dict_row).execute(query, params).fetchall()


def tenant_figures(conn: Conn) -> dict[str, Any]:
    """Everything a tenant's report shows (tenant scope)."""
    posture = _dicts(
        conn,
        "select posture_score, kri_count, kris_red, kris_amber, kris_stale, kris_no_data,"
        " risk_count, risks_critical, risks_high, stale_share, computed_at"
        " from tenant.tenant_posture",
    )
    top = _dicts(
        conn,
        "select r.id, r.title, p.score, p.severity, p.accepted_until from tenant.risk_posture p"
        " join tenant.risk r on r.id = p.risk_id where p.score is not null"
        " order by p.score desc, r.title limit %s",
        (TOP_RISKS,),
    )
    reasons = _dicts(
        conn,
        "select c.risk_id, coalesce(k.name, ctl.name) as name, c.item_kind, c.state,"
        " c.contribution from tenant.risk_contribution c"
        " left join tenant.kri k on c.item_kind = 'kri' and k.id = c.item_id"
        " left join tenant.control ctl on c.item_kind = 'control' and ctl.id = c.item_id"
        " where c.risk_id = any(%s) and c.contribution > 0 and coalesce(k.id, ctl.id) is not null"
        " order by c.risk_id, c.contribution desc",
        ([r["id"] for r in top],),
    )
    for risk in top:
        risk["reasons"] = [r for r in reasons if r["risk_id"] == risk["id"]][:REASONS_PER_RISK]
    accepted = conn.execute(
        "select count(*) from tenant.risk_posture where accepted_until is not null"
    ).fetchone()
    return {
        "posture": posture[0] if posture else None,
        "history": history(conn),
        "top_risks": top,
        "accepted_risks": int(accepted[0]) if accepted else 0,
        "outcomes": _dicts(
            conn,
            "select o.name, p.severity, p.score from tenant.outcome o"
            " left join tenant.outcome_posture p on p.outcome_id = o.id"
            " order by p.score desc nulls last, o.name",
        ),
        "out_of_appetite": _dicts(
            conn,
            "select k.name, k.unit, k.warn, k.critical, s.status, s.value from tenant.kri k"
            " join tenant.kri_status s on s.kri_id = k.id where s.status in ('red', 'amber')"
            " order by s.status desc, k.name",
        ),
        "stale_feeds": _dicts(
            conn,
            "select src.name, src.last_run_at, src.last_run_status,"
            " count(*) filter (where s.status in ('stale', 'no_data')) as stale_kris"
            " from tenant.kri_source src join tenant.kri k on k.source_id = src.id"
            " left join tenant.kri_status s on s.kri_id = k.id group by src.tenant_id, src.id"
            " having count(*) filter (where coalesce(s.status, 'no_data') in ('stale', 'no_data'))"
            " > 0 or src.last_run_status = 'failed' order by src.name",
        ),
    }


def history(conn: Conn, tenant_id: UUID | None = None) -> list[dict[str, Any]]:
    """Daily posture rows of the last `HISTORY_DAYS` days, of one tenant or every visible one."""
    return _dicts(
        conn,
        "select tenant_id, day, posture_score, risks_critical, risks_high"
        " from tenant.posture_history where day > current_date - %s::int"
        " and (%s::uuid is null or tenant_id = %s::uuid) order by tenant_id, day",
        (HISTORY_DAYS, tenant_id, tenant_id),
    )


def org_figures(conn: Conn, org_id: UUID) -> dict[str, Any]:
    """The organization's live tenants with their postures and history (org scope)."""
    tenants = _dicts(
        conn,
        "select t.id, t.name, p.posture_score, p.risks_critical, p.risks_high, p.kris_red,"
        " p.stale_share, p.computed_at from platform.tenants t"
        " left join tenant.tenant_posture p on p.tenant_id = t.id"
        " where t.organization_id = %s and t.deleted_at is null"
        " order by p.posture_score desc nulls last, t.name",
        (org_id,),
    )
    return {"tenants": tenants, "history": history(conn)}


def carrier_figures(conn: Conn) -> dict[str, Any]:
    """The carrier's projected book of consenting insureds and their history (carrier scope)."""
    tenants = _dicts(
        conn,
        "select p.tenant_id as id, p.tenant_name as name, p.posture_score, p.band,"
        " p.trend_30d, p.risks_critical, p.risks_high, p.stale_share,"
        " p.posture_computed_at as computed_at, p.projected_at from carrier.portfolio p"
        " join carrier.insured_tenants i on i.carrier_id = p.carrier_id"
        "  and i.tenant_id = p.tenant_id where i.revoked_at is null"
        " order by p.posture_score desc nulls last, p.tenant_name",
    )
    return {"tenants": tenants, "history": history(conn)}


def newest_queued(conn: Conn) -> UUID | None:
    """The most recent queued request's id (platform scope), or None: a new one means a run."""
    row = conn.execute(
        "select id from platform.board_report where status = 'queued'"
        " order by requested_at desc limit 1"
    ).fetchone()
    return None if row is None else UUID(str(row[0]))
