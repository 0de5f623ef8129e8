"""The SQL of the `tprm` source: the tenant's vendors, assessments, findings, policy and identity
apps, read as frames, and the drift findings written back. Thin: the rules are `assets.tprm.kris`
and `assets.tprm.drift`.

Every function runs inside the transaction the KRI asset opened under the tenant's scope (the
one that holds the source's lease and writes its observations); none of them sets a scope. The
pipeline role reads these tables and writes only the columns of `tenant.vendor_finding` that
migration 0022 grants it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from uuid import UUID

import polars as pl

from assets.tenants import Conn
from assets.tprm.drift import DriftFinding, DriftPlan, DriftVendor, Resolution, StoredFinding
from assets.tprm.kris import COMPLETED_SCHEMA, FINDING_SCHEMA, VENDOR_SCHEMA
from draxis.notifications import notify
from draxis.tprm.cadence import Cadence


@dataclass(frozen=True, slots=True)
class Clock:
    now: datetime  # the transaction's now(), in UTC
    today: date  # its UTC day


@dataclass(frozen=True, slots=True)
class VendorRow:
    vendor: DriftVendor
    owner_user_id: UUID | None


def clock(conn: Conn) -> Clock:
    row = conn.execute("select now(), (now() at time zone 'UTC')::date").fetchone()
    assert row is not None
    return Clock(row[0].astimezone(UTC), row[1])


def cadence(conn: Conn) -> Cadence:
    """The tenant's cadence per tier (`tenant.tprm_policy`), the defaults when it set none."""
    row = conn.execute(
        "select tier1_months, tier2_months, tier3_months from tenant.tprm_policy"
    ).fetchone()
    return Cadence() if row is None else Cadence(int(row[0]), int(row[1]), int(row[2]))


def vendors(conn: Conn) -> list[VendorRow]:
    rows = conn.execute(
        "select id, name, tier, app_match, attested_integrations, owner_user_id"
        " from tenant.vendor order by name, id"
    ).fetchall()
    return [
        VendorRow(DriftVendor(r[0], r[1], int(r[2]), tuple(r[3]), tuple(r[4])), r[5]) for r in rows
    ]


def vendor_frame(conn: Conn) -> pl.DataFrame:
    rows = conn.execute(
        "select id::text, name, tier, (created_at at time zone 'UTC')::date from tenant.vendor"
    ).fetchall()
    return pl.DataFrame(rows, schema=VENDOR_SCHEMA, orient="row")


def completed_frame(conn: Conn) -> pl.DataFrame:
    """The last completed assessment's day per vendor."""
    rows = conn.execute(
        "select vendor_id::text, max((completed_at at time zone 'UTC')::date)"
        " from tenant.assessment where status = 'completed' group by vendor_id"
    ).fetchall()
    return pl.DataFrame(rows, schema=COMPLETED_SCHEMA, orient="row")


def open_findings_frame(conn: Conn) -> pl.DataFrame:
    rows = conn.execute(
        "select vendor_id::text, dedupe_key, severity from tenant.vendor_finding"
        " where status = 'open'"
    ).fetchall()
    return pl.DataFrame(rows, schema=FINDING_SCHEMA, orient="row")


def detected_apps(conn: Conn) -> list[str]:
    """The names of the active apps every identity source of the tenant reported."""
    rows = conn.execute(
        "select distinct name from tenant.identity_app where active order by name"
    ).fetchall()
    return [str(r[0]) for r in rows]


def drift_findings(conn: Conn) -> list[StoredFinding]:
    rows = conn.execute(
        "select vendor_id, dedupe_key, status from tenant.vendor_finding where source = 'drift'"
    ).fetchall()
    return [StoredFinding(r[0], r[1], r[2]) for r in rows]


_INSERT = """
insert into tenant.vendor_finding (tenant_id, vendor_id, source, dedupe_key, severity, title,
    detail)
values (%s, %s, 'drift', %s, %s, %s, %s)
returning id
"""
_REOPEN = """
update tenant.vendor_finding
set status = 'open', resolved_at = null, resolution = null, severity = %s, title = %s,
    detail = %s, last_seen_at = now()
where vendor_id = %s and dedupe_key = %s and status = 'resolved'
returning id
"""
_REFRESH = """
update tenant.vendor_finding
set last_seen_at = now(), severity = %s, title = %s, detail = %s
where vendor_id = %s and dedupe_key = %s and status <> 'resolved'
"""
_RESOLVE = """
update tenant.vendor_finding
set status = 'resolved', resolved_at = now(), resolution = %s
where vendor_id = %s and dedupe_key = %s and status = 'open'
"""


def apply_drift(
    conn: Conn, tenant_id: UUID, plan: DriftPlan, owners: dict[UUID, UUID | None], now: datetime
) -> dict[str, int]:
    """Write the plan; tell each opened or reopened finding's vendor owner. Counts by kind."""
    opened: list[tuple[UUID, DriftFinding]] = []
    for f in plan.opened:
        row = conn.execute(
            _INSERT, (tenant_id, f.vendor_id, f.dedupe_key, f.severity, f.title, f.detail)
        ).fetchone()
        assert row is not None
        opened.append((row[0], f))
    for f in plan.reopened:
        row = conn.execute(
            _REOPEN, (f.severity, f.title, f.detail, f.vendor_id, f.dedupe_key)
        ).fetchone()
        if row is not None:
            opened.append((row[0], f))
    for f in plan.refreshed:
        conn.execute(_REFRESH, (f.severity, f.title, f.detail, f.vendor_id, f.dedupe_key))
    for r in plan.resolved:
        _resolve(conn, r)
    for finding_id, f in opened:
        owner = owners.get(f.vendor_id)
        if owner is None:
            continue
        notify(
            conn,
            tenant_id=tenant_id,
            user_ids=[owner],
            event="vendor.finding_opened",
            title=f.title,
            body=f.detail,
            link=f"/vendors/{f.vendor_id}",
            subject_kind="vendor",
            subject_id=f.vendor_id,
            dedupe_key=f"vendor.finding_opened:{finding_id}:{now.isoformat()}",
        )
    return {
        "opened": len(plan.opened),
        "reopened": len(plan.reopened),
        "refreshed": len(plan.refreshed),
        "resolved": len(plan.resolved),
    }


def _resolve(conn: Conn, r: Resolution) -> None:
    conn.execute(_RESOLVE, (r.reason, r.vendor_id, r.dedupe_key))
