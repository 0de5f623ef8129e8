"""Formal risk acceptance: request, approve or reject, revoke, and list (docs/risk-acceptance.md).

- `POST /api/risks/{id}/acceptances`: a member asks that the risk be accepted until a date, with
  a justification and optionally a compensating control of the tenant; the tenant's admins are
  notified (`acceptance.requested`). One pending-or-approved acceptance per risk (409).
- `POST /api/risk-acceptances/{id}/approve|reject`: a tenant_admin who is not the requester
  decides (403 with the reason otherwise; the database refuses it too). Approval sets the risk's
  status to `accepted` in the same transaction; the requester is notified of the decision.
- `POST /api/risk-acceptances/{id}/revoke`: an admin, or the requester for their own request,
  ends a pending or approved acceptance with a reason; an accepted risk returns to `open`.
- `GET /api/risk-acceptances` (filter by status; approvers look at `pending`) and
  `GET /api/risks/{id}/acceptances` (the risk's whole history, newest first).

Expiry is the pipeline's (`assets.acceptance.review`). Rows are never deleted.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from psycopg import errors
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.problems import Problem, problem_responses
from api.schemas.risk_acceptance import (
    AcceptanceOut,
    AcceptanceRequest,
    AcceptanceStatus,
    Approval,
    Refusal,
)
from api.types import Page
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["risk acceptance"], responses=problem_responses(404, 409))
P = Permission
Reader = Annotated[Tx, tenant_scope(P.RISK_MODEL_READ)]
Requester = Annotated[Tx, tenant_scope(P.RISK_ACCEPTANCE_REQUEST)]
Approver = Annotated[Tx, tenant_scope(P.RISK_ACCEPTANCE_DECIDE)]
MAX_DAYS = 1096  # as the database's check (migration 0020)

_SELECT = """
select a.id, a.risk_id, r.slug as risk_slug, r.title as risk_title, a.justification,
       a.requested_by, q.display_name as requested_by_name, a.requested_at, a.approver_role,
       a.expires_at, a.compensating_control_id, c.name as compensating_control_name, a.status,
       (a.status = 'approved' and a.expires_at >= (now() at time zone 'UTC')::date) as in_force,
       a.decided_by, d.display_name as decided_by_name, a.decided_at, a.reason, a.ended_by,
       a.ended_at
from tenant.risk_acceptance a
join tenant.risk r on r.tenant_id = a.tenant_id and r.id = a.risk_id
left join tenant.control c on c.tenant_id = a.tenant_id and c.id = a.compensating_control_id
left join platform.users q on q.id = a.requested_by
left join platform.users d on d.id = a.decided_by
"""


def _one(tx: Tx, acceptance_id: UUID) -> AcceptanceOut:
    row = (
        tx.conn.cursor(row_factory=class_row(AcceptanceOut))
        .execute(_SELECT + " where a.id = %s", (acceptance_id,))
        .fetchone()
    )
    if row is None:
        raise Problem(404, "No such risk acceptance.")
    return row


def _utc_today(tx: Tx) -> date:
    row = tx.conn.execute("select (now() at time zone 'UTC')::date").fetchone()
    assert row is not None
    today: date = row[0]
    return today


def _notify(tx: Tx, users: str, params: dict[str, Any]) -> None:
    """Notify the tenant's users `users` (a where clause on platform.users `u`) about an
    acceptance, once per user and event (`dedupe_key`)."""
    tx.conn.execute(
        "insert into tenant.notification (tenant_id, user_id, event, subject_kind, subject_id,"
        " title, body, link, dedupe_key)"
        " select u.tenant_id, u.id, %(event)s, 'risk', %(risk_id)s, left(%(title)s, 200),"
        " left(%(body)s, 4000), %(link)s, %(event)s || ':' || %(acceptance_id)s::text"
        f" from platform.users u where u.tenant_id = %(tenant_id)s and u.is_active and ({users})"
        # No conflict target: naming one needs SELECT on the new row, and the app may read only
        # its own user's notifications. The dedupe key is the table's one optional unique key.
        " on conflict do nothing",
        {"tenant_id": tx.principal.tenant_id, **params},
    )


@router.post(
    "/risks/{risk_id}/acceptances",
    response_model=AcceptanceOut,
    status_code=201,
    responses=problem_responses(403, 422),
)
def request_acceptance(risk_id: UUID, body: AcceptanceRequest, tx: Requester) -> AcceptanceOut:
    """Ask that a risk be accepted until a date; the tenant's admins are notified."""
    risk = tx.conn.execute(
        "select title, status from tenant.risk where id = %s for update", (risk_id,)
    ).fetchone()
    if risk is None:
        raise Problem(404, "No such risk.")
    if risk[1] == "closed":
        raise Problem(409, "The risk is closed: there is nothing to accept.")
    today = _utc_today(tx)
    if body.expires_at <= today:
        raise Problem(422, f"The expiry must be after today ({today.isoformat()}, UTC).")
    if body.expires_at > today + timedelta(days=MAX_DAYS):
        raise Problem(422, f"The expiry may be at most {MAX_DAYS} days ahead.")
    control = body.compensating_control_id
    if (
        control is not None
        and not tx.conn.execute("select 1 from tenant.control where id = %s", (control,)).fetchone()
    ):
        raise Problem(422, "The compensating control is not a control of this tenant.")
    try:
        with tx.conn.transaction():
            row = tx.conn.execute(
                "insert into tenant.risk_acceptance (tenant_id, risk_id, justification,"
                " requested_by, expires_at, compensating_control_id)"
                " values (%s, %s, %s, %s, %s, %s) returning id",
                (
                    tx.principal.tenant_id,
                    risk_id,
                    body.justification,
                    tx.principal.user_id,
                    body.expires_at,
                    control,
                ),
            ).fetchone()
    except errors.UniqueViolation:
        raise Problem(
            409, "The risk already has a pending or approved acceptance; revoke it first."
        ) from None
    except errors.CheckViolation as exc:
        raise Problem(422, f"The acceptance is not valid ({exc.diag.constraint_name}).") from None
    assert row is not None
    acceptance_id = UUID(str(row[0]))
    _notify(
        tx,
        "u.role = 'tenant_admin' and u.id <> %(requester)s",
        {
            "event": "acceptance.requested",
            "risk_id": risk_id,
            "acceptance_id": acceptance_id,
            "requester": tx.principal.user_id,
            "title": f"Approval requested: accept risk {risk[0]}",
            "body": f"Accept until {body.expires_at.isoformat()} (UTC). {body.justification}",
            "link": "/acceptances",
        },
    )
    tx.audit(
        "risk_acceptance.request",
        target_type="risk_acceptance",
        target_id=acceptance_id,
        risk_id=str(risk_id),
        expires_at=body.expires_at.isoformat(),
        compensating_control_id=str(control) if control else None,
    )
    return _one(tx, acceptance_id)


def _pending_for_decision(tx: Tx, acceptance_id: UUID) -> tuple[UUID, UUID | None, date, str]:
    """(risk id, requester, expiry, risk title) of a pending acceptance the caller may decide."""
    row = tx.conn.execute(
        "select a.risk_id, a.requested_by, a.expires_at, a.status, r.title"
        " from tenant.risk_acceptance a join tenant.risk r"
        " on r.tenant_id = a.tenant_id and r.id = a.risk_id where a.id = %s for update of a",
        (acceptance_id,),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such risk acceptance.")
    risk_id, requester, expires_at, status, title = row
    if status != "pending":
        raise Problem(409, f"The acceptance is {status}; only a pending one can be decided.")
    if requester == tx.principal.user_id:
        raise Problem(
            403,
            "You requested this acceptance: another tenant admin must decide it"
            " (no self-approval).",
        )
    return risk_id, requester, expires_at, str(title)


def _tell_requester(
    tx: Tx, event: str, acceptance_id: UUID, risk_id: UUID, requester: UUID | None, text: str
) -> None:
    if requester is None:
        return
    _notify(
        tx,
        "u.id = %(requester)s",
        {
            "event": event,
            "risk_id": risk_id,
            "acceptance_id": acceptance_id,
            "requester": requester,
            "title": text,
            "body": text,
            "link": f"/risks/{risk_id}",
        },
    )


def _decide(
    tx: Tx,
    acceptance_id: UUID,
    risk_id: UUID,
    requester: UUID | None,
    status: Literal["approved", "rejected"],
    reason: str | None,
    text: str,
) -> None:
    """Record the caller's decision on a pending acceptance, tell the requester, audit it."""
    tx.conn.execute(
        "update tenant.risk_acceptance set status = %s, decided_by = %s,"
        " decided_at = now(), reason = %s where id = %s",
        (status, tx.principal.user_id, reason, acceptance_id),
    )
    _tell_requester(tx, f"acceptance.{status}", acceptance_id, risk_id, requester, text)
    tx.audit(
        {"approved": "risk_acceptance.approve", "rejected": "risk_acceptance.reject"}[status],
        target_type="risk_acceptance",
        target_id=acceptance_id,
        risk_id=str(risk_id),
        reason=reason,
    )


@router.post(
    "/risk-acceptances/{acceptance_id}/approve",
    response_model=AcceptanceOut,
    responses=problem_responses(403),
)
def approve(acceptance_id: UUID, body: Approval, tx: Approver) -> AcceptanceOut:
    """Approve a pending acceptance (not one's own): the risk is accepted until its expiry."""
    risk_id, requester, expires_at, title = _pending_for_decision(tx, acceptance_id)
    if expires_at < _utc_today(tx):
        raise Problem(409, "The acceptance's expiry has passed; ask for a new one.")
    tx.conn.execute(
        "update tenant.risk set status = 'accepted', updated_at = now() where id = %s",
        (risk_id,),
    )
    text = f"Risk {title} is accepted until {expires_at.isoformat()}"
    _decide(tx, acceptance_id, risk_id, requester, "approved", body.reason, text)
    return _one(tx, acceptance_id)


@router.post(
    "/risk-acceptances/{acceptance_id}/reject",
    response_model=AcceptanceOut,
    responses=problem_responses(403, 422),
)
def reject(acceptance_id: UUID, body: Refusal, tx: Approver) -> AcceptanceOut:
    """Reject a pending acceptance (not one's own), with the reason."""
    risk_id, requester, _, title = _pending_for_decision(tx, acceptance_id)
    text = f"Acceptance of risk {title} rejected: {body.reason}"
    _decide(tx, acceptance_id, risk_id, requester, "rejected", body.reason, text)
    return _one(tx, acceptance_id)


@router.post(
    "/risk-acceptances/{acceptance_id}/revoke",
    response_model=AcceptanceOut,
    responses=problem_responses(403, 422),
)
def revoke(acceptance_id: UUID, body: Refusal, tx: Requester) -> AcceptanceOut:
    """End a pending or approved acceptance, with the reason: a tenant admin may revoke any,
    the requester their own. An accepted risk returns to review (`open`)."""
    row = tx.conn.execute(
        "select risk_id, requested_by, status from tenant.risk_acceptance where id = %s for update",
        (acceptance_id,),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such risk acceptance.")
    risk_id, requester, status = row
    if P.RISK_ACCEPTANCE_DECIDE not in tx.caller.permissions and requester != tx.principal.user_id:
        raise Problem(403, "Only a tenant admin or the requester may revoke an acceptance.")
    if status not in ("pending", "approved"):
        raise Problem(409, f"The acceptance is already {status}.")
    tx.conn.execute(
        "update tenant.risk_acceptance set status = 'revoked', ended_by = %s, ended_at = now(),"
        " reason = %s where id = %s",
        (tx.principal.user_id, body.reason, acceptance_id),
    )
    if status == "approved":
        tx.conn.execute(
            "update tenant.risk set status = 'open', updated_at = now()"
            " where id = %s and status = 'accepted'",
            (risk_id,),
        )
    tx.audit(
        "risk_acceptance.revoke",
        target_type="risk_acceptance",
        target_id=acceptance_id,
        risk_id=str(risk_id),
        was=status,
        reason=body.reason,
    )
    return _one(tx, acceptance_id)


@router.get("/risk-acceptances", response_model=Page[AcceptanceOut])
def list_acceptances(
    tx: Reader,
    status: AcceptanceStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[AcceptanceOut]:
    """The tenant's acceptances, newest request first; `status=pending` is the approver's queue."""
    where = " where (%(status)s::text is null or a.status = %(status)s)"
    params = {"status": status, "limit": limit, "offset": offset}
    items = (
        tx.conn.cursor(row_factory=class_row(AcceptanceOut))
        .execute(
            _SELECT
            + where
            + " order by a.requested_at desc, a.id limit %(limit)s offset %(offset)s",
            params,
        )
        .fetchall()
    )
    total = tx.conn.execute(
        "select count(*) from tenant.risk_acceptance a" + where, params
    ).fetchone()
    return Page[AcceptanceOut](
        items=items, total=int(total[0]) if total else 0, limit=limit, offset=offset
    )


@router.get("/risk-acceptances/{acceptance_id}", response_model=AcceptanceOut)
def get_acceptance(acceptance_id: UUID, tx: Reader) -> AcceptanceOut:
    return _one(tx, acceptance_id)


@router.get("/risks/{risk_id}/acceptances", response_model=list[AcceptanceOut])
def risk_acceptances(risk_id: UUID, tx: Reader) -> list[AcceptanceOut]:
    """One risk's acceptances, newest request first: its whole history."""
    if not tx.conn.execute("select 1 from tenant.risk where id = %s", (risk_id,)).fetchone():
        raise Problem(404, "No such risk.")
    return (
        tx.conn.cursor(row_factory=class_row(AcceptanceOut))
        .execute(_SELECT + " where a.risk_id = %s order by a.requested_at desc, a.id", (risk_id,))
        .fetchall()
    )
