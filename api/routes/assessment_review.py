"""Reviewing an assessment: what the vendor answered and uploaded, how each answer scored, a
reviewer's overrides, and completion (docs/tprm.md, "Assessments").

- `GET /api/assessments/{id}`: the questionnaire version as sent, per step the visible questions
  with each answer, its automatic score (rules, model or offline analyst) and override, the
  evidence files' metadata, the result of `draxis.tprm.scoring.assess` now, and the timeline.
- `GET /api/assessments/{id}/evidence/{evidence_id}`: a file, always as a download.
- `PUT|DELETE /api/assessments/{id}/answers/{question_id}/override`: set (score 0-1 and a
  reason) or clear a reviewer's score, once submitted and until completed; the assessment's
  score and rating are recomputed in the same transaction.
- `POST /api/assessments/{id}/complete`: see `api.assessment_completion`.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, Path, Response
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from api.access import Tx, tenant_scope
from api.assessment_completion import complete, completion_refusal
from api.assessment_store import Loaded, get_assessment, load, store_result, utc_today
from api.downloads import file_download
from api.problems import Problem, problem_responses
from api.schemas.assessments import (
    AssessmentOut,
    CompleteIn,
    OverrideIn,
    QuestionId,
    ResultOut,
    ReviewEvidenceOut,
    ReviewFindingOut,
    ReviewOut,
    ReviewQuestion,
    ReviewStep,
    TimelineEntry,
)
from api.task_store import USER_NAME
from draxis.security.permissions import Permission
from draxis.tprm.answers import visible
from draxis.tprm.document import MultiChoice, Question, SingleChoice, YesNo
from draxis.tprm.scoring import rule_score, values

router = APIRouter(
    prefix="/api/assessments/{assessment_id}",
    tags=["assessments"],
    responses=problem_responses(404),
)
Reader = Annotated[Tx, tenant_scope(Permission.TPRM_READ)]
Manager = Annotated[Tx, tenant_scope(Permission.TPRM_MANAGE)]
QuestionPath = Annotated[QuestionId, Path(description="a question id of the questionnaire")]
# Evidence is served as what it claims only for the kinds the portal accepts; anything else is
# plain bytes. Always an attachment, never sniffed, never rendered in our origin.
_SERVED_AS_IS = frozenset(
    {
        "application/pdf",
        "image/png",
        "image/jpeg",
        "text/plain",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
)
_EVIDENCE = (
    "select id, question_id, filename, content_type, size_bytes, encode(sha256, 'hex') as sha256,"
    " uploaded_at from tenant.assessment_evidence"
)
# Lifecycle moments kept on the row; the reviewer's own actions come from the audit log.
_LIFECYCLE = (
    ("sent_at", "sent", "sent_by"),
    ("opened_at", "opened", None),
    ("submitted_at", "submitted", None),
    ("evaluated_at", "evaluated", None),
    ("completed_at", "completed", "completed_by"),
    ("cancelled_at", "cancelled", None),
)
_AUDITED = ("assessment.resend", "assessment.override", "assessment.override_clear")


def _label(question: Question, value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(question, YesNo):
        return "Yes" if value is True else "No" if value is False else str(value)
    if isinstance(question, SingleChoice | MultiChoice):
        labels = {o.value: o.label for o in question.options}
        chosen = value if isinstance(value, list) else [value]
        return ", ".join(labels.get(str(v), str(v)) for v in chosen)
    return str(value)


def _steps(tx: Tx, assessment: AssessmentOut, loaded: Loaded) -> list[ReviewStep]:
    today = utc_today(tx)
    files = (
        tx.conn.cursor(row_factory=class_row(ReviewEvidenceOut))
        .execute(_EVIDENCE + " where assessment_id = %s order by uploaded_at, id", (assessment.id,))
        .fetchall()
    )
    shown = {q.id for q in visible(loaded.document, values(loaded.states()))}
    steps = []
    for step in loaded.document.steps:
        questions = []
        for q in step.questions:
            if q.id not in shown:
                continue
            a = loaded.answers.get(q.id)
            value = a.value if a else None
            override = a.override_score if a else None
            auto = a.auto_score if a else None
            options = getattr(q, "options", [])
            questions.append(
                ReviewQuestion(
                    id=q.id,
                    type=q.type,
                    text=q.text,
                    help=q.help,
                    required=q.required,
                    weight=q.weight,
                    severity=q.severity,
                    requirement=q.requirement,
                    options=[o.model_dump() for o in options],
                    answer=value,
                    answer_label=_label(q, value),
                    answered_at=a.answered_at if a else None,
                    needs_model=rule_score(q, value, today).needs_model,
                    auto_score=auto,
                    auto_source=a.auto_source if a else None,
                    auto_rationale=a.auto_rationale if a else None,
                    override_score=override,
                    override_reason=a.override_reason if a else None,
                    override_by=a.override_by if a else None,
                    override_by_name=a.override_by_name if a else None,
                    override_at=a.override_at if a else None,
                    effective_score=override if override is not None else auto,
                    evidence=[f for f in files if f.question_id == q.id],
                )
            )
        if questions:
            steps.append(
                ReviewStep(
                    id=step.id, title=step.title, description=step.description, questions=questions
                )
            )
    return steps


def _timeline(tx: Tx, assessment_id: UUID) -> list[TimelineEntry]:
    columns = ", ".join(
        f"{at}, {USER_NAME.format(who) if who else 'null'}" for at, _, who in _LIFECYCLE
    )
    row = tx.conn.execute(
        f"select {columns} from tenant.assessment where id = %s", (assessment_id,)
    ).fetchone()
    assert row is not None
    entries = [
        TimelineEntry(at=row[2 * i], event=event, actor_name=row[2 * i + 1], detail={})
        for i, (_, event, _) in enumerate(_LIFECYCLE)
        if row[2 * i] is not None
    ]
    entries += [
        TimelineEntry(at=r[0], event=r[1].removeprefix("assessment."), actor_name=r[2], detail=r[3])
        for r in tx.conn.execute(
            f"select at, action, {USER_NAME.format('actor_user_id')}, detail"
            " from tenant.audit_log where target_type = 'assessment' and target_id = %s"
            " and action = any(%s)",
            (str(assessment_id), list(_AUDITED)),
        ).fetchall()
    ]
    return sorted(entries, key=lambda e: e.at)


def review(tx: Tx, assessment_id: UUID) -> ReviewOut:
    assessment = get_assessment(tx, assessment_id)
    loaded = load(tx, assessment)
    result = loaded.result(utc_today(tx))
    refusal = completion_refusal(assessment, result)
    return ReviewOut(
        assessment=assessment,
        document=loaded.raw_document,
        steps=_steps(tx, assessment, loaded),
        result=ResultOut(
            score=result.score,
            rating=result.rating,
            pending=result.pending,
            findings=[
                ReviewFindingOut(
                    question_id=f.question_id, severity=f.severity, title=f.title, score=f.score
                )
                for f in result.findings
            ],
        ),
        can_complete=refusal is None,
        complete_refusal=refusal,
        timeline=_timeline(tx, assessment_id),
    )


@router.get("", response_model=ReviewOut)
def get_review(assessment_id: UUID, tx: Reader) -> ReviewOut:
    """Everything a reviewer needs about one assessment, scored as of now."""
    return review(tx, assessment_id)


@router.get(
    "/evidence/{evidence_id}",
    response_class=Response,
    responses={
        200: {
            "content": {
                media: {"schema": {"type": "string", "format": "binary"}}
                for media in sorted(_SERVED_AS_IS | {"application/octet-stream"})
            }
        }
    },
)
def download_evidence(assessment_id: UUID, evidence_id: UUID, tx: Reader) -> Response:
    """An evidence file, always as a download (never rendered by the browser)."""
    row = tx.conn.execute(
        "select filename, content_type, content from tenant.assessment_evidence"
        " where id = %s and assessment_id = %s",
        (evidence_id, assessment_id),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such evidence file.")
    filename, content_type, content = row
    media = str(content_type).split(";", 1)[0].strip().lower()
    return file_download(
        content, filename, media if media in _SERVED_AS_IS else "application/octet-stream"
    )


def _reviewable(tx: Tx, assessment_id: UUID, question_id: str) -> AssessmentOut:
    """The locked assessment, submitted and not yet completed, and `question_id` one of its
    visible, weighted questions."""
    assessment = get_assessment(tx, assessment_id, lock=True)
    if assessment.status != "submitted":
        raise Problem(
            409,
            f"The assessment is {assessment.status.replace('_', ' ')}: scores can be overridden"
            " only once it is submitted and until it is completed.",
        )
    loaded = load(tx, assessment)
    question = next((q for q in loaded.document.questions() if q.id == question_id), None)
    if question is None:
        raise Problem(404, "No such question in this questionnaire.")
    if question_id not in {q.id for q in visible(loaded.document, values(loaded.states()))}:
        raise Problem(409, "The vendor's answers hide this question: it does not count.")
    if question.weight == 0:
        raise Problem(422, "This question is not scored (its weight is 0).")
    return assessment


def _rescore(tx: Tx, assessment: AssessmentOut) -> None:
    store_result(tx, assessment.id, load(tx, assessment).result(utc_today(tx)))


@router.put(
    "/answers/{question_id}/override",
    response_model=ReviewOut,
    responses=problem_responses(409, 422),
)
def override_score(
    assessment_id: UUID, question_id: QuestionPath, body: OverrideIn, tx: Manager
) -> ReviewOut:
    """Replace an answer's automatic score with the reviewer's, with the reason."""
    assessment = _reviewable(tx, assessment_id, question_id)
    tx.conn.execute(
        # An unanswered question has no row yet: its override stands on a null answer.
        "insert into tenant.assessment_answer (tenant_id, assessment_id, question_id, value,"
        " override_score, override_reason, override_by, override_at)"
        " values (%s, %s, %s, %s, %s, %s, %s, now())"
        " on conflict (tenant_id, assessment_id, question_id) do update set"
        " override_score = excluded.override_score, override_reason = excluded.override_reason,"
        " override_by = excluded.override_by, override_at = excluded.override_at",
        (
            tx.principal.tenant_id,
            assessment_id,
            question_id,
            Jsonb(None),
            round(body.score, 3),
            body.reason,
            tx.principal.user_id,
        ),
    )
    _rescore(tx, assessment)
    tx.audit(
        "assessment.override",
        target_type="assessment",
        target_id=assessment_id,
        question_id=question_id,
        score=round(body.score, 3),
        reason=body.reason,
    )
    return review(tx, assessment_id)


@router.delete(
    "/answers/{question_id}/override",
    response_model=ReviewOut,
    responses=problem_responses(409, 422),
)
def clear_override(assessment_id: UUID, question_id: QuestionPath, tx: Manager) -> ReviewOut:
    """Go back to the automatic score (nothing to clear is not an error)."""
    assessment = _reviewable(tx, assessment_id, question_id)
    cleared = tx.conn.execute(
        "update tenant.assessment_answer set override_score = null, override_reason = null,"
        " override_by = null, override_at = null"
        " where assessment_id = %s and question_id = %s and override_score is not null"
        " returning 1",
        (assessment_id, question_id),
    ).fetchone()
    if cleared is not None:
        _rescore(tx, assessment)
        tx.audit(
            "assessment.override_clear",
            target_type="assessment",
            target_id=assessment_id,
            question_id=question_id,
        )
    return review(tx, assessment_id)


@router.post("/complete", response_model=ReviewOut, responses=problem_responses(409, 422))
def complete_review(assessment_id: UUID, body: CompleteIn, tx: Manager) -> ReviewOut:
    """Complete the review: final score and rating, the vendor's findings, attested
    integrations and next review date, in one transaction."""
    complete(tx, get_assessment(tx, assessment_id, lock=True), body)
    return review(tx, assessment_id)
