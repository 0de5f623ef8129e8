"""Assessments in the database: the reads the campaign and review routes share, the vendor
link's minting, and the score kept in step with the answers.

Callers are `api.routes.assessments` (send, resend, cancel, lists), `api.routes.assessment_review`
(the review, overrides) and `api.assessment_completion` (complete). Every function works inside
the request's one transaction; none commits.
"""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg.rows import class_row

from api.access import Tx
from api.problems import Problem
from api.schemas.assessments import AssessmentOut
from api.task_store import USER_NAME
from draxis.security.crypto import seal
from draxis.security.opaque import token_hash
from draxis.settings import Settings
from draxis.tprm.document import QuestionnaireDocument
from draxis.tprm.links import link_context, respond_url
from draxis.tprm.scoring import AnswerState, Result, assess

OPEN = ("sent", "in_progress")
DEFAULT_LINK_DAYS = 30  # tenant.tprm_policy.link_days's default (migration 0022)
ASSESSMENT_SELECT = f"""
select a.id, a.vendor_id, a.vendor_name, a.questionnaire_id, q.name as questionnaire_name,
       a.version, a.status, a.recipient_name, a.recipient_email, a.message, a.due_date,
       a.token_expires_at,
       (a.status in ('sent', 'in_progress') and a.token_expires_at <= now()) as link_expired,
       a.sent_by, {USER_NAME.format("a.sent_by")} as sent_by_name, a.sent_at, a.opened_at,
       a.submitted_at, a.completed_at, a.completed_by, a.cancelled_at, a.score::float8 as score,
       a.rating, a.evaluation, a.evaluation_error
from tenant.assessment a
join tenant.questionnaire q on q.tenant_id = a.tenant_id and q.id = a.questionnaire_id
"""


def utc_today(tx: Tx) -> date:
    """Today in UTC, by the database's clock (the one the respondent policy's expiry uses)."""
    row = tx.conn.execute("select (now() at time zone 'UTC')::date").fetchone()
    assert row is not None
    today: date = row[0]
    return today


def get_assessment(tx: Tx, assessment_id: UUID, *, lock: bool = False) -> AssessmentOut:
    """The assessment, or 404 (another tenant's is as unknown as a made-up id). `lock` takes
    its row lock first, so two changes to one assessment queue instead of racing."""
    if lock:
        tx.conn.execute(
            "select 1 from tenant.assessment where id = %s for update", (assessment_id,)
        )
    row = (
        tx.conn.cursor(row_factory=class_row(AssessmentOut))
        .execute(ASSESSMENT_SELECT + " where a.id = %s", (assessment_id,))
        .fetchone()
    )
    if row is None:
        raise Problem(404, "No such assessment.")
    return row


def link_days(tx: Tx) -> int:
    row = tx.conn.execute("select link_days from tenant.tprm_policy").fetchone()
    return int(row[0]) if row else DEFAULT_LINK_DAYS


def check_due_date(due: date, today: date) -> None:
    if due <= today:
        raise Problem(
            422,
            f"The due date must be after today ({today.isoformat()}, UTC).",
            errors=[{"location": "body.due_date", "message": "not after today"}],
        )
    if due > _one_year_on(today):
        raise Problem(
            422,
            "The due date may be at most one year ahead.",
            errors=[{"location": "body.due_date", "message": "more than a year ahead"}],
        )


def _one_year_on(today: date) -> date:
    try:
        return today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return today.replace(year=today.year + 1, day=28)


@dataclass(frozen=True, slots=True)
class Link:
    token: str
    url: str
    token_hash: bytes
    sealed: bytes


def mint_link(settings: Settings, assessment_id: UUID) -> Link:
    """A fresh vendor link: the raw token (for the one answer that shows it), its hash (the
    only form the database keeps for lookups) and the link sealed for the e-mails."""
    token = secrets.token_urlsafe(32)
    url = respond_url(settings.public_url, token)
    return Link(
        token, url, token_hash(token), seal(settings, url.encode(), link_context(assessment_id))
    )


def expiry_sql() -> str:
    """The link's expiry: the end (UTC) of the due date plus the tenant's grace days."""
    return "((%(due)s::date + %(grace)s::int + 1)::timestamp at time zone 'UTC')"


def queue_invitation(tx: Tx, assessment_id: UUID, dedupe_key: str) -> None:
    """An invitation e-mail to the recipient, sent by the pipeline from the outbox."""
    tx.conn.execute(
        "insert into tenant.assessment_email (tenant_id, assessment_id, kind, dedupe_key)"
        " values (%s, %s, 'invitation', %s)",
        (tx.principal.tenant_id, assessment_id, dedupe_key),
    )


# The answers and their scores ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AnswerRow:
    question_id: str
    value: Any
    answered_at: datetime
    auto_score: float | None
    auto_source: str | None
    auto_rationale: str | None
    override_score: float | None
    override_reason: str | None
    override_by: UUID | None
    override_by_name: str | None
    override_at: datetime | None


@dataclass(frozen=True, slots=True)
class Loaded:
    """An assessment's questionnaire version, answers and evidence counts, as stored."""

    raw_document: dict[str, Any]
    document: QuestionnaireDocument
    answers: dict[str, AnswerRow]
    evidence: dict[str, int]

    def states(self) -> dict[str, AnswerState]:
        return {
            q: AnswerState(a.value, a.auto_score, a.override_score) for q, a in self.answers.items()
        }

    def result(self, today: date) -> Result:
        return assess(self.document, self.states(), today, self.evidence)


def _float(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


def load(tx: Tx, assessment: AssessmentOut) -> Loaded:
    row = tx.conn.execute(
        "select document from tenant.questionnaire_version"
        " where questionnaire_id = %s and version = %s",
        (assessment.questionnaire_id, assessment.version),
    ).fetchone()
    assert row is not None  # the composite foreign key keeps the version
    raw: dict[str, Any] = row[0]
    answers = {
        r[0]: AnswerRow(r[0], r[1], r[2], _float(r[3]), r[4], r[5], _float(r[6]), *r[7:])
        for r in tx.conn.execute(
            "select question_id, value, answered_at, auto_score, auto_source, auto_rationale,"
            f" override_score, override_reason, override_by, {USER_NAME.format('override_by')},"
            " override_at from tenant.assessment_answer where assessment_id = %s",
            (assessment.id,),
        ).fetchall()
    }
    files = Counter(
        str(r[0])
        for r in tx.conn.execute(
            "select question_id from tenant.assessment_evidence where assessment_id = %s",
            (assessment.id,),
        ).fetchall()
    )
    return Loaded(raw, QuestionnaireDocument.model_validate(raw), answers, dict(files))


def store_result(tx: Tx, assessment_id: UUID, result: Result) -> None:
    tx.conn.execute(
        "update tenant.assessment set score = %s, rating = %s where id = %s",
        (result.score, result.rating, assessment_id),
    )
