"""The vendor portal: a vendor contact answers an assessment through its link, without an account.

Every route takes `Authorization: Assessment <token>` (the token from the link's fragment,
`/respond#token=...`) and runs in ONE transaction under the respondent scope (`api.respondent`):
the database shows the one open assessment of that token and nothing else. 401 for a header
that is not that; 410 for a token that is unknown, expired, cancelled or already submitted (the
same answer for each); 429 over the rate limits. A refusal writes nothing.

- `GET /api/respond`: the assessment as the vendor sees it; the first open marks it in progress.
- `PUT /api/respond/answers/{question_id}` / `DELETE`: autosave or clear one answer, checked by
  `draxis.tprm.answers.validate_answer` (404 unknown question, 422 with the reason).
  `PUT /api/respond/answers`: several, all or none.
- `POST /api/respond/evidence` (multipart `question_id` + `file`), `GET`/`DELETE
  /api/respond/evidence/{id}`: evidence files (`draxis.tprm.evidence`).
- `POST /api/respond/submit`: final; 422 listing what is missing, else scored by the rules and
  submitted, after which the token answers 410 everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, File, Form, Path, Request, Response, UploadFile
from psycopg.rows import class_row
from psycopg.types.json import Jsonb

from api.downloads import file_download
from api.problems import Problem, problem_responses
from api.respondent import Respondent, RespondentTx
from api.schemas.respond import (
    AnswerIn,
    AnswerSaved,
    AnswersIn,
    AnswersSaved,
    EvidenceOut,
    MissingOut,
    ProgressOut,
    RespondOut,
    SubmittedOut,
)
from draxis.tprm.answers import AnswerError, Answers, missing, validate_answer, visible
from draxis.tprm.document import AnswerValue, Question
from draxis.tprm.evidence import (
    MAX_ASSESSMENT_BYTES,
    MAX_EVIDENCE_BYTES,
    MAX_FILES_PER_QUESTION,
    EvidenceRefused,
    check_file,
    takes_evidence,
)
from draxis.tprm.scoring import AnswerState, assess, rule_score

router = APIRouter(
    prefix="/api/respond",
    tags=["vendor portal"],
    responses=problem_responses(401, 410, 429),
)
QuestionId = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_.-]{0,79}$", max_length=80)]
_MULTIPART_SLACK = 64 * 1024
_EVIDENCE = (
    "select id, question_id, filename, size_bytes, content_type, uploaded_at"
    " from tenant.assessment_evidence"
)


# State ------------------------------------------------------------------------------------------
def _answers(r: Respondent) -> dict[str, AnswerValue]:
    rows = r.conn.execute("select question_id, value from tenant.assessment_answer").fetchall()
    return {str(q): v for q, v in rows}


def _file_counts(r: Respondent) -> dict[str, int]:
    rows = r.conn.execute(
        "select question_id, count(*) from tenant.assessment_evidence group by question_id"
    ).fetchall()
    return {str(q): int(n) for q, n in rows}


def _progress(r: Respondent, answers: Answers) -> ProgressOut:
    document = r.assessment.document
    return ProgressOut(
        visible=[q.id for q in visible(document, answers)],
        missing=[
            MissingOut(question_id=m.question_id, reason=m.reason)
            for m in missing(document, answers, _file_counts(r))
        ],
    )


def _question(r: Respondent, question_id: str) -> Question:
    question = r.assessment.document.question(question_id)
    if question is None:
        raise Problem(404, f"This questionnaire has no question {question_id!r}.")
    return question


def _validated(question: Question, value: object) -> AnswerValue:
    try:
        return validate_answer(question, value)
    except AnswerError as exc:
        raise Problem(
            422,
            f"Not saved: {exc}.",
            errors=[{"question_id": question.id, "message": str(exc)}],
        ) from None


def _save(r: Respondent, question_id: str, value: AnswerValue) -> None:
    r.conn.execute(
        "insert into tenant.assessment_answer (tenant_id, assessment_id, question_id, value)"
        " values (%s, %s, %s, %s) on conflict (tenant_id, assessment_id, question_id)"
        " do update set value = excluded.value, answered_at = now()",
        (r.assessment.tenant_id, r.assessment.id, question_id, Jsonb(value)),
    )


def _begin(r: Respondent) -> None:
    """A write is work on the answers: a `sent` assessment is in progress from now."""
    if r.assessment.status == "sent":
        r.conn.execute(
            "update tenant.assessment set status = 'in_progress',"
            " opened_at = coalesce(opened_at, now())"
        )


# Routes -----------------------------------------------------------------------------------------
@router.get("", response_model=RespondOut)
def open_assessment(r: RespondentTx) -> RespondOut:
    """The assessment as the vendor sees it: who asks, by when, the questionnaire, the answers
    and evidence saved so far, the questions shown for them and what is still missing. The
    first open marks it in progress (and is audited)."""
    a = r.assessment
    status = a.status
    if status == "sent":
        r.audit("assessment.opened")
        _begin(r)
        status = "in_progress"
    answers = _answers(r)
    evidence = (
        r.conn.cursor(row_factory=class_row(EvidenceOut))
        .execute(_EVIDENCE + " order by uploaded_at, id")
        .fetchall()
    )
    progress = _progress(r, answers)
    return RespondOut(
        requester_name=a.requester_name,
        vendor_name=a.vendor_name,
        recipient_name=a.recipient_name,
        recipient_email=a.recipient_email,
        message=a.message,
        due_date=a.due_date,
        expires_at=a.expires_at,
        status=status,
        questionnaire=a.document,
        answers=answers,
        evidence=evidence,
        visible=progress.visible,
        missing=progress.missing,
    )


@router.put("/answers/{question_id}", response_model=AnswerSaved, responses=problem_responses(404))
def save_answer(question_id: QuestionId, body: AnswerIn, r: RespondentTx) -> AnswerSaved:
    """Autosave one answer. A question hidden by the other answers may still be saved (the
    vendor may change the answer it depends on); it counts only while shown."""
    value = _validated(_question(r, question_id), body.value)
    _begin(r)
    _save(r, question_id, value)
    progress = _progress(r, _answers(r))
    return AnswerSaved(question_id=question_id, value=value, **progress.model_dump())


@router.put("/answers", response_model=AnswersSaved, responses=problem_responses(404))
def save_answers(body: AnswersIn, r: RespondentTx) -> AnswersSaved:
    """Several answers at once, all or none: any unknown question (404) or invalid value (422,
    every problem listed) saves nothing."""
    document = r.assessment.document
    unknown = [q for q in body.answers if document.question(q) is None]
    if unknown:
        raise Problem(404, f"This questionnaire has no question {unknown[0][:80]!r}.")
    values: dict[str, AnswerValue] = {}
    errors: list[dict[str, str]] = []
    for question_id, raw in body.answers.items():
        question = _question(r, question_id)
        try:
            values[question_id] = validate_answer(question, raw)
        except AnswerError as exc:
            errors.append({"question_id": question_id, "message": str(exc)})
    if errors:
        first = errors[0]
        raise Problem(
            422, f"Nothing saved: {first['question_id']}: {first['message']}.", errors=errors
        )
    if values:
        _begin(r)
    for question_id, value in values.items():
        _save(r, question_id, value)
    progress = _progress(r, _answers(r))
    return AnswersSaved(saved=list(values), **progress.model_dump())


@router.delete(
    "/answers/{question_id}", response_model=ProgressOut, responses=problem_responses(404)
)
def clear_answer(question_id: QuestionId, r: RespondentTx) -> ProgressOut:
    """Clear one answer (no answer saved is not an error)."""
    _question(r, question_id)
    r.conn.execute("delete from tenant.assessment_answer where question_id = %s", (question_id,))
    return _progress(r, _answers(r))


@router.post(
    "/evidence",
    response_model=EvidenceOut,
    status_code=201,
    responses=problem_responses(404, 413, 415),
)
def upload_evidence(
    request: Request,
    r: RespondentTx,
    question_id: Annotated[str, Form(max_length=80)],
    file: Annotated[
        UploadFile, File(description="at most 10 MB: PDF, PNG, JPEG, text, CSV, DOCX, XLSX")
    ],
) -> EvidenceOut:
    """Attach a file to a question that takes evidence. Over 10 MB is 413; a kind off the
    allowlist, or content that is not what the extension says, 415; an empty file, a name with
    a path, a question without evidence, an 11th file for a question or more than 50 MB for the
    assessment 422. Audited."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_EVIDENCE_BYTES + _MULTIPART_SLACK:
        raise Problem(413, "The file is over 10 MB.")
    question = _question(r, question_id)
    if not takes_evidence(question):
        raise Problem(422, "This question does not take evidence files.")
    data = file.file.read(MAX_EVIDENCE_BYTES + 1)
    try:
        filename, content_type = check_file(file.filename or "", data)
    except EvidenceRefused as exc:
        raise Problem(exc.status, str(exc)) from None
    row = r.conn.execute(
        "select count(*) filter (where question_id = %s), coalesce(sum(size_bytes), 0)"
        " from tenant.assessment_evidence",
        (question_id,),
    ).fetchone()
    assert row is not None
    if row[0] >= MAX_FILES_PER_QUESTION:
        raise Problem(422, f"A question takes at most {MAX_FILES_PER_QUESTION} files.")
    if row[1] + len(data) > MAX_ASSESSMENT_BYTES:
        raise Problem(422, "The files of an assessment may total at most 50 MB.")
    _begin(r)
    r.audit(
        "assessment.evidence_uploaded",
        question_id=question_id,
        filename=filename,
        size_bytes=len(data),
    )
    saved = (
        r.conn.cursor(row_factory=class_row(EvidenceOut))
        .execute(
            "insert into tenant.assessment_evidence (tenant_id, assessment_id, question_id,"
            " filename, content_type, size_bytes, sha256, content)"
            " values (%s, %s, %s, %s, %s, %s, sha256(%s), %s)"
            " returning id, question_id, filename, size_bytes, content_type, uploaded_at",
            (
                r.assessment.tenant_id,
                r.assessment.id,
                question_id,
                filename,
                content_type,
                len(data),
                data,
                data,
            ),
        )
        .fetchone()
    )
    assert saved is not None
    return saved


@router.get(
    "/evidence/{evidence_id}",
    response_class=Response,
    responses={200: {"content": {"application/octet-stream": {}}}, **problem_responses(404)},
)
def download_evidence(evidence_id: UUID, r: RespondentTx) -> Response:
    """One of this assessment's files, always as a download (never rendered)."""
    row = r.conn.execute(
        "select filename, content_type, content from tenant.assessment_evidence where id = %s",
        (evidence_id,),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such file.")
    filename, content_type, content = row
    return file_download(content, filename, content_type)


@router.delete("/evidence/{evidence_id}", status_code=204, responses=problem_responses(404))
def remove_evidence(evidence_id: UUID, r: RespondentTx) -> Response:
    """Remove one of this assessment's files. Audited."""
    row = r.conn.execute(
        "delete from tenant.assessment_evidence where id = %s returning question_id, filename",
        (evidence_id,),
    ).fetchone()
    if row is None:
        raise Problem(404, "No such file.")
    r.audit(
        "assessment.evidence_removed",
        evidence_id=str(evidence_id),
        question_id=row[0],
        filename=row[1],
    )
    return Response(status_code=204)


@router.post("/submit", response_model=SubmittedOut, responses=problem_responses(422))
def submit(r: RespondentTx) -> SubmittedOut:
    """Submit the answers: final. 422 listing what is missing, when anything is. Otherwise each
    shown, rule-scored answer gets its rules score, the assessment its score and rating, and its
    evaluation is pending when a shown answer waits for the model client; the link is wiped and
    the token answers 410 from now on."""
    document = r.assessment.document
    answers = _answers(r)
    files = _file_counts(r)
    gaps = missing(document, answers, files)
    if gaps:
        listed = [MissingOut(question_id=g.question_id, reason=g.reason) for g in gaps]
        raise Problem(
            422,
            f"Not submitted: {len(gaps)} question(s) still need an answer or evidence.",
            missing=[m.model_dump() for m in listed],
        )
    today = datetime.now(UTC).date()
    states: dict[str, AnswerState] = {}
    for question in visible(document, answers):
        value = answers.get(question.id)
        verdict = rule_score(question, value, today)
        if value is None or verdict.score is None or verdict.needs_model:
            states[question.id] = AnswerState(value)
            continue
        r.conn.execute(
            "update tenant.assessment_answer set auto_score = %s, auto_source = 'rules',"
            " auto_rationale = %s where question_id = %s",
            (verdict.score, verdict.rationale[:2000], question.id),
        )
        states[question.id] = AnswerState(value, auto_score=verdict.score)
    result = assess(document, states, today, files)
    evaluation = "pending" if result.pending > 0 else "done"
    # The audit row first: once submitted, the assessment (and so the policy that lets this
    # scope write about it) is out of the respondent's sight.
    r.audit(
        "assessment.submitted", score=result.score, rating=result.rating, pending=result.pending
    )
    _begin(r)
    submitted_at = datetime.now(UTC)
    # The SET reads no column: a statement that reads the row must see the new row too, and a
    # submitted assessment is out of the respondent's sight (the policy would refuse it).
    r.conn.execute(
        "update tenant.assessment set status = 'submitted', submitted_at = %s,"
        " link_sealed = null, score = %s, rating = %s,"
        " evaluation = %s, evaluator = case when %s = 'done' then 'rules' end,"
        " evaluated_at = case when %s = 'done' then %s end",
        (
            submitted_at,
            result.score,
            result.rating,
            evaluation,
            evaluation,
            evaluation,
            submitted_at,
        ),
    )
    return SubmittedOut(
        submitted_at=submitted_at,
        score=result.score,
        rating=result.rating,
        evaluation=evaluation,
    )
