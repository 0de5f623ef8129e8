"""A submitted assessment written straight into the database, as the portal and the pipeline's
evaluation would leave it: answers with their rule (or offline analyst) scores, evidence files,
status `submitted` and the score `assess` gives. For the review's API and browser tests.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from psycopg.types.json import Jsonb

from draxis.db.scope import scoped_transaction
from draxis.tprm.document import QuestionnaireDocument
from draxis.tprm.scoring import AnswerState, assess, rule_score
from tests.factories import Conn, TenantFixture
from tests.tprm.kit import SAMPLE, Sent

OFFLINE = "Offline analyst: no language model is configured; the answer names a 72-hour notice."
# Answers to kit.SAMPLE: MFA for admins only (a finding), a recent pentest, a small team (a
# finding), two integrations attested; `ir` and `soc2` are scored by the (offline) analyst.
ANSWERS: dict[str, Any] = {
    "mfa": True,
    "mfa.scope": "admins",
    "integrations": ["okta", "slack"],
    "pentest": (date.today() - timedelta(days=30)).isoformat(),
    "staff": 1,
    "ir": "We notify customers within 72 hours of confirming a breach.",
}
PDF = b"%PDF-1.4\n% a tiny SOC 2 report\n"


@dataclass(frozen=True, slots=True)
class Evidence:
    question_id: str
    filename: str
    content_type: str
    content: bytes


def submit(
    conn: Conn,
    tenant: TenantFixture,
    sent: Sent,
    answers: dict[str, Any] | None = None,
    *,
    evaluation: Literal["done", "pending", "failed"] = "done",
    model_score: float = 0.9,
    evidence: tuple[Evidence, ...] = (Evidence("soc2", "soc2.pdf", "application/pdf", PDF),),
    document: dict[str, Any] | None = None,
) -> None:
    """Answer `sent` (kit.SAMPLE by default) and mark it submitted. With `evaluation` done, the
    questions for the model carry `model_score` from the offline analyst; otherwise none."""
    doc = QuestionnaireDocument.model_validate(document or SAMPLE)
    values = ANSWERS if answers is None else answers
    files = {e.question_id for e in evidence}
    today = date.today()
    states: dict[str, AnswerState] = {}
    with scoped_transaction(conn, tenant.scope):
        for question in doc.questions():
            value = values.get(question.id)
            verdict = rule_score(question, value, today)
            if value is None and not (verdict.needs_model and question.id in files):
                continue
            score = verdict.score
            source: str | None = "rules"
            why: str | None = verdict.rationale
            if verdict.needs_model:
                score, source, why = (
                    (model_score, "offline", OFFLINE)
                    if evaluation == "done"
                    else (None, None, None)
                )
            elif score is None:
                source = why = None  # not scored
            conn.execute(
                "insert into tenant.assessment_answer (tenant_id, assessment_id, question_id,"
                " value, auto_score, auto_source, auto_rationale)"
                " values (%s, %s, %s, %s, %s, %s, %s)",
                (tenant.id, sent.assessment_id, question.id, Jsonb(value), score, source, why),
            )
            states[question.id] = AnswerState(value, score)
        for e in evidence:
            conn.execute(
                "insert into tenant.assessment_evidence (tenant_id, assessment_id, question_id,"
                " filename, content_type, size_bytes, sha256, content)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    tenant.id,
                    sent.assessment_id,
                    e.question_id,
                    e.filename,
                    e.content_type,
                    len(e.content),
                    hashlib.sha256(e.content).digest(),
                    e.content,
                ),
            )
        result = assess(doc, states, today, {q: 1 for q in files})
        conn.execute(
            "update tenant.assessment set status = 'submitted', submitted_at = now(),"
            " opened_at = now(), link_sealed = null, evaluation = %s, score = %s, rating = %s,"
            " evaluated_at = case when %s = 'pending' then null else now() end,"
            " evaluation_error = case when %s = 'failed' then 'model unreachable' end"
            " where id = %s",
            (
                evaluation,
                result.score,
                result.rating,
                evaluation,
                evaluation,
                sent.assessment_id,
            ),
        )
