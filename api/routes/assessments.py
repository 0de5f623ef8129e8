"""Assessment campaigns: send a questionnaire to a vendor, resend or cancel its link, list them
(docs/tprm.md, "Assessments").

- `POST /api/vendors/{vendor_id}/assessments`: the questionnaire's latest published version to a
  vendor contact, due after today and within a year. One open (or submitted, unreviewed)
  assessment per vendor and questionnaire (409). The link's token is stored only as its SHA-256;
  the link itself is sealed for the invitation e-mail, queued in the same transaction, and shown
  in this answer once.
- `POST /api/assessments/{id}/resend`: a new token and expiry (the old link stops working) and
  a new invitation; `POST /api/assessments/{id}/cancel`: the link is wiped and stops working.
  Both only while the assessment is open (sent or in progress).
- `GET /api/assessments` (the tenant's, filtered by vendor and status) and
  `GET /api/vendors/{vendor_id}/assessments` (one vendor's history), newest first.

The review (answers, evidence, overrides, completion) is `api.routes.assessment_review`.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from psycopg.rows import class_row

from api.access import Tx, tenant_scope
from api.assessment_store import (
    ASSESSMENT_SELECT,
    OPEN,
    check_due_date,
    expiry_sql,
    get_assessment,
    link_days,
    mint_link,
    queue_invitation,
    utc_today,
)
from api.deps import SettingsDep
from api.problems import Problem, problem_responses
from api.schemas.assessments import (
    AssessmentOut,
    AssessmentSent,
    AssessmentStatus,
    ContactChoice,
    ResendIn,
    SendableQuestionnaire,
    SendIn,
    SendOptions,
)
from api.types import Page
from draxis.security.permissions import Permission

router = APIRouter(prefix="/api", tags=["assessments"], responses=problem_responses(404))
Reader = Annotated[Tx, tenant_scope(Permission.TPRM_READ)]
Manager = Annotated[Tx, tenant_scope(Permission.TPRM_MANAGE)]


def _recipient(tx: Tx, vendor_id: UUID, body: SendIn) -> tuple[str, str]:
    """(name, e-mail) of whom the link goes to: a contact of this vendor, or as typed."""
    if body.contact_id is not None:
        if body.recipient_email is not None or body.recipient_name is not None:
            raise Problem(422, "Give a contact, or a name and e-mail, not both.")
        row = tx.conn.execute(
            "select name, email from tenant.vendor_contact where id = %s and vendor_id = %s",
            (body.contact_id, vendor_id),
        ).fetchone()
        if row is None:
            raise Problem(
                422,
                "The contact is not a contact of this vendor.",
                errors=[{"location": "body.contact_id", "message": "unknown contact"}],
            )
        return str(row[0]), str(row[1])
    if body.recipient_email is None:
        raise Problem(
            422,
            "Say whom to send it to: a contact of the vendor, or a name and e-mail.",
            errors=[{"location": "body.recipient_email", "message": "required without contact"}],
        )
    return body.recipient_name or "", body.recipient_email


def _published_version(tx: Tx, questionnaire_id: UUID) -> int:
    row = tx.conn.execute(
        "select q.archived_at is not null,"
        " (select max(v.version) from tenant.questionnaire_version v"
        "  where v.questionnaire_id = q.id and v.status = 'published')"
        " from tenant.questionnaire q where q.id = %s",
        (questionnaire_id,),
    ).fetchone()
    if row is None:
        raise Problem(
            422,
            "The questionnaire is not one of this tenant's.",
            errors=[{"location": "body.questionnaire_id", "message": "unknown questionnaire"}],
        )
    archived, version = row
    if archived:
        raise Problem(409, "The questionnaire is archived; restore it or pick another.")
    if version is None:
        raise Problem(409, "The questionnaire has no published version yet; publish it first.")
    return int(version)


@router.post(
    "/vendors/{vendor_id}/assessments",
    response_model=AssessmentSent,
    status_code=201,
    responses=problem_responses(409, 422),
)
def send_assessment(
    vendor_id: UUID, body: SendIn, tx: Manager, settings: SettingsDep
) -> AssessmentSent:
    """Send a questionnaire to a vendor contact. The answer carries the vendor link once."""
    # The vendor's row lock queues two sends to one vendor, so "one open" holds.
    vendor = tx.conn.execute(
        "select name from tenant.vendor where id = %s for update", (vendor_id,)
    ).fetchone()
    if vendor is None:
        raise Problem(404, "No such vendor.")
    version = _published_version(tx, body.questionnaire_id)
    name, email = _recipient(tx, vendor_id, body)
    today = utc_today(tx)
    check_due_date(body.due_date, today)
    busy = tx.conn.execute(
        "select status from tenant.assessment where vendor_id = %s and questionnaire_id = %s"
        " and status in ('sent', 'in_progress', 'submitted') limit 1",
        (vendor_id, body.questionnaire_id),
    ).fetchone()
    if busy is not None:
        state = "waits for review" if busy[0] == "submitted" else "is still open"
        raise Problem(
            409,
            f"This vendor's assessment with this questionnaire {state}; "
            + ("complete its review first." if busy[0] == "submitted" else "cancel it first."),
        )
    tenant = tx.conn.execute(
        "select name from platform.tenants where id = %s", (tx.principal.tenant_id,)
    ).fetchone()
    assert tenant is not None
    assessment_id = uuid.uuid4()
    link = mint_link(settings, assessment_id)
    tx.conn.execute(
        "insert into tenant.assessment (id, tenant_id, vendor_id, questionnaire_id, version,"
        " vendor_name, requester_name, recipient_name, recipient_email, message, due_date,"
        " token_hash, token_expires_at, link_sealed, sent_by) values (%(id)s, %(tenant)s,"
        " %(vendor)s, %(questionnaire)s, %(version)s, %(vendor_name)s, %(requester)s,"
        f" %(name)s, %(email)s, %(message)s, %(due)s, %(hash)s, {expiry_sql()}, %(sealed)s,"
        " %(user)s)",
        {
            "id": assessment_id,
            "tenant": tx.principal.tenant_id,
            "vendor": vendor_id,
            "questionnaire": body.questionnaire_id,
            "version": version,
            "vendor_name": vendor[0],
            "requester": tenant[0],
            "name": name,
            "email": email,
            "message": body.message,
            "due": body.due_date,
            "grace": link_days(tx),
            "hash": link.token_hash,
            "sealed": link.sealed,
            "user": tx.principal.user_id,
        },
    )
    queue_invitation(tx, assessment_id, "invitation")
    tx.audit(
        "assessment.send",
        target_type="assessment",
        target_id=assessment_id,
        vendor_id=str(vendor_id),
        questionnaire_id=str(body.questionnaire_id),
        version=version,
        recipient_email=email,
        due_date=body.due_date.isoformat(),
    )
    sent = get_assessment(tx, assessment_id)
    return AssessmentSent(**sent.model_dump(), link=link.url)


def _open(tx: Tx, assessment_id: UUID, action: str) -> AssessmentOut:
    assessment = get_assessment(tx, assessment_id, lock=True)
    if assessment.status not in OPEN:
        raise Problem(
            409,
            f"The assessment is {assessment.status.replace('_', ' ')}; only an open one"
            f" (sent or in progress) can be {action}.",
        )
    return assessment


@router.post(
    "/assessments/{assessment_id}/resend",
    response_model=AssessmentSent,
    responses=problem_responses(409, 422),
)
def resend_assessment(
    assessment_id: UUID, body: ResendIn, tx: Manager, settings: SettingsDep
) -> AssessmentSent:
    """A new link (the old one stops working) and a new invitation; the answer shows it once."""
    assessment = _open(tx, assessment_id, "resent")
    today = utc_today(tx)
    if body.due_date is not None:
        check_due_date(body.due_date, today)
    elif assessment.due_date <= today:
        raise Problem(
            422,
            "The due date has passed; give a new one to resend.",
            errors=[{"location": "body.due_date", "message": "required: the due date passed"}],
        )
    due = body.due_date or assessment.due_date
    link = mint_link(settings, assessment_id)
    tx.conn.execute(
        f"update tenant.assessment set token_hash = %(hash)s, token_expires_at = {expiry_sql()},"
        " link_sealed = %(sealed)s, due_date = %(due)s where id = %(id)s",
        {
            "hash": link.token_hash,
            "sealed": link.sealed,
            "due": due,
            "grace": link_days(tx),
            "id": assessment_id,
        },
    )
    resends = tx.conn.execute(
        "select count(*) from tenant.assessment_email where assessment_id = %s"
        " and kind = 'invitation'",
        (assessment_id,),
    ).fetchone()
    queue_invitation(tx, assessment_id, f"resend:{resends[0] if resends else 1}")
    tx.audit(
        "assessment.resend",
        target_type="assessment",
        target_id=assessment_id,
        due_date=due.isoformat(),
        recipient_email=assessment.recipient_email,
    )
    return AssessmentSent(**get_assessment(tx, assessment_id).model_dump(), link=link.url)


@router.post(
    "/assessments/{assessment_id}/cancel",
    response_model=AssessmentOut,
    responses=problem_responses(409),
)
def cancel_assessment(assessment_id: UUID, tx: Manager) -> AssessmentOut:
    """Cancel an open assessment: its link stops working and is wiped."""
    _open(tx, assessment_id, "cancelled")
    tx.conn.execute(
        "update tenant.assessment set status = 'cancelled', cancelled_at = now(),"
        " link_sealed = null where id = %s",
        (assessment_id,),
    )
    tx.audit("assessment.cancel", target_type="assessment", target_id=assessment_id)
    return get_assessment(tx, assessment_id)


@router.get("/assessments", response_model=Page[AssessmentOut])
def list_assessments(
    tx: Reader,
    vendor_id: UUID | None = None,
    status: AssessmentStatus | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Page[AssessmentOut]:
    """The tenant's assessments, newest first."""
    where = (
        " where (%(vendor)s::uuid is null or a.vendor_id = %(vendor)s)"
        " and (%(status)s::text is null or a.status = %(status)s)"
    )
    params = {"vendor": vendor_id, "status": status, "limit": limit, "offset": offset}
    items = (
        tx.conn.cursor(row_factory=class_row(AssessmentOut))
        .execute(
            ASSESSMENT_SELECT
            + where
            + " order by a.sent_at desc, a.id limit %(limit)s offset %(offset)s",
            params,
        )
        .fetchall()
    )
    total = tx.conn.execute("select count(*) from tenant.assessment a" + where, params).fetchone()
    return Page[AssessmentOut](
        items=items, total=int(total[0]) if total else 0, limit=limit, offset=offset
    )


@router.get("/vendors/{vendor_id}/assessments", response_model=list[AssessmentOut])
def vendor_assessments(vendor_id: UUID, tx: Reader) -> list[AssessmentOut]:
    """One vendor's assessments, newest first: its whole history."""
    if not tx.conn.execute("select 1 from tenant.vendor where id = %s", (vendor_id,)).fetchone():
        raise Problem(404, "No such vendor.")
    return (
        tx.conn.cursor(row_factory=class_row(AssessmentOut))
        .execute(
            ASSESSMENT_SELECT + " where a.vendor_id = %s order by a.sent_at desc, a.id",
            (vendor_id,),
        )
        .fetchall()
    )


@router.get("/vendors/{vendor_id}/assessment-options", response_model=SendOptions)
def send_options(vendor_id: UUID, tx: Reader) -> SendOptions:
    """The questionnaires that can be sent (published, not archived) and the vendor's contacts."""
    if not tx.conn.execute("select 1 from tenant.vendor where id = %s", (vendor_id,)).fetchone():
        raise Problem(404, "No such vendor.")
    questionnaires = (
        tx.conn.cursor(row_factory=class_row(SendableQuestionnaire))
        .execute(
            "select q.id, q.name, max(v.version) as version from tenant.questionnaire q"
            " join tenant.questionnaire_version v"
            " on v.tenant_id = q.tenant_id and v.questionnaire_id = q.id"
            " where q.archived_at is null and v.status = 'published'"
            " group by q.id, q.name order by q.name, q.id"
        )
        .fetchall()
    )
    contacts = (
        tx.conn.cursor(row_factory=class_row(ContactChoice))
        .execute(
            "select id, name, email, role, is_primary from tenant.vendor_contact"
            " where vendor_id = %s order by is_primary desc, name, id",
            (vendor_id,),
        )
        .fetchall()
    )
    return SendOptions(questionnaires=questionnaires, contacts=contacts)
