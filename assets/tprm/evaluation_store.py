"""The SQL of assessment evaluation. Every function runs in the caller's transaction, scoped (as
`draxis_pipeline`) to a batch of tenants holding the assessment; none touches the network.

The claim is a compare-and-set on `evaluation_lease_until` (migration 0023): a pending,
submitted assessment with no live lease gets one, and the lease's exact value is the claim's
token. The result is written only while the assessment is still submitted, still pending and
still holds that token, so two ticks never evaluate it twice and a late writer changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from uuid import UUID

from assets.tenants import Conn
from draxis.notifications import notify
from draxis.tprm.document import AnswerValue, QuestionnaireDocument
from draxis.tprm.evaluation import Call, EvidenceFile
from draxis.tprm.scoring import AnswerState, Result

MAX_FILES_PER_QUESTION = 10
# In-app paths the notifications link to.
REVIEW_LINK = "/assessments/{assessment_id}"  # the review page


@dataclass(frozen=True, slots=True)
class Claim:
    tenant_id: UUID
    assessment_id: UUID
    token: datetime  # the lease as stored: the claim's compare-and-set value
    vendor_id: UUID
    vendor_name: str
    sent_by: UUID | None
    questionnaire_id: UUID
    version: int
    today: date


@dataclass(frozen=True, slots=True)
class Loaded:
    document: QuestionnaireDocument
    states: dict[str, AnswerState]
    evidence_counts: dict[str, int]
    policy: str


def claimable(conn: Conn, limit: int) -> list[tuple[UUID, UUID, datetime | None]]:
    """(tenant, assessment, lease) of submitted assessments waiting for evaluation that no live
    claim holds, oldest submission first."""
    rows = conn.execute(
        "select tenant_id, id, evaluation_lease_until from tenant.assessment"
        " where evaluation = 'pending' and status = 'submitted'"
        " and (evaluation_lease_until is null or evaluation_lease_until < now())"
        " order by submitted_at, id limit %s",
        (limit,),
    ).fetchall()
    return [(UUID(str(r[0])), UUID(str(r[1])), r[2]) for r in rows]


def claim(conn: Conn, tenant_id: UUID, assessment_id: UUID, lease: timedelta) -> Claim | None:
    row = conn.execute(
        "update tenant.assessment set evaluation_lease_until = clock_timestamp() + %s"
        " where tenant_id = %s and id = %s and evaluation = 'pending' and status = 'submitted'"
        " and (evaluation_lease_until is null or evaluation_lease_until < now())"
        " returning evaluation_lease_until, vendor_id, vendor_name, sent_by, questionnaire_id,"
        " version, (now() at time zone 'UTC')::date",
        (lease, tenant_id, assessment_id),
    ).fetchone()
    if row is None:
        return None
    return Claim(tenant_id, assessment_id, row[0], row[1], row[2], row[3], row[4], row[5], row[6])


def states(conn: Conn, claim: Claim) -> dict[str, AnswerState]:
    rows = conn.execute(
        "select question_id, value, auto_score, override_score from tenant.assessment_answer"
        " where tenant_id = %s and assessment_id = %s",
        (claim.tenant_id, claim.assessment_id),
    ).fetchall()
    return {str(q): AnswerState(_value(v), _float(a), _float(o)) for q, v, a, o in rows}


def _value(raw: Any) -> AnswerValue | None:
    if isinstance(raw, bool | int | float | str):
        return raw
    if isinstance(raw, list) and all(isinstance(v, str) for v in raw):
        return [str(v) for v in raw]
    return None


def _float(raw: Any) -> float | None:
    return None if raw is None else float(raw)


def evidence_counts(conn: Conn, claim: Claim) -> dict[str, int]:
    rows = conn.execute(
        "select question_id, count(*) from tenant.assessment_evidence"
        " where tenant_id = %s and assessment_id = %s group by question_id",
        (claim.tenant_id, claim.assessment_id),
    ).fetchall()
    return {str(q): int(n) for q, n in rows}


def load(conn: Conn, claim: Claim) -> Loaded:
    row = conn.execute(
        "select document from tenant.questionnaire_version"
        " where tenant_id = %s and questionnaire_id = %s and version = %s",
        (claim.tenant_id, claim.questionnaire_id, claim.version),
    ).fetchone()
    if row is None:
        raise LookupError("the assessment's questionnaire version is gone")
    policy = conn.execute(
        "select requirements from tenant.tprm_policy where tenant_id = %s", (claim.tenant_id,)
    ).fetchone()
    return Loaded(
        QuestionnaireDocument.model_validate(row[0]),
        states(conn, claim),
        evidence_counts(conn, claim),
        str(policy[0]) if policy else "",
    )


def evidence(
    conn: Conn, claim: Claim, question_ids: Sequence[str]
) -> dict[str, list[EvidenceFile]]:
    rows = conn.execute(
        "select question_id, filename, content_type, size_bytes, uploaded_at, content from"
        " (select e.*, row_number() over (partition by question_id order by uploaded_at desc, id)"
        "  as n from tenant.assessment_evidence e"
        "  where tenant_id = %s and assessment_id = %s and question_id = any(%s)) e"
        " where n <= %s order by question_id, uploaded_at, filename",
        (claim.tenant_id, claim.assessment_id, list(question_ids), MAX_FILES_PER_QUESTION),
    ).fetchall()
    found: dict[str, list[EvidenceFile]] = {}
    for q, name, kind, size, at, content in rows:
        found.setdefault(str(q), []).append(EvidenceFile(name, kind, int(size), at, bytes(content)))
    return found


def still_claimed(conn: Conn, claim: Claim) -> bool:
    """Lock the assessment if it still holds this claim (and is submitted and pending)."""
    row = conn.execute(
        "select 1 from tenant.assessment where tenant_id = %s and id = %s"
        " and evaluation = 'pending' and status = 'submitted' and evaluation_lease_until = %s"
        " for update",
        (claim.tenant_id, claim.assessment_id, claim.token),
    ).fetchone()
    return row is not None


def write_scores(conn: Conn, claim: Claim, scores: Mapping[str, tuple[float, str, str]]) -> None:
    """question → (score, source, rationale) on its answer row (a file question gets one)."""
    for question_id, (score, source, rationale) in scores.items():
        conn.execute(
            "insert into tenant.assessment_answer (tenant_id, assessment_id, question_id, value,"
            " auto_score, auto_source, auto_rationale) values (%s, %s, %s, 'null'::jsonb, %s,"
            " %s, %s) on conflict (tenant_id, assessment_id, question_id) do update"
            " set auto_score = excluded.auto_score, auto_source = excluded.auto_source,"
            " auto_rationale = excluded.auto_rationale",
            (claim.tenant_id, claim.assessment_id, question_id, score, source, rationale),
        )


def finish(conn: Conn, claim: Claim, result: Result, evaluator: str) -> None:
    conn.execute(
        "update tenant.assessment set score = %s, rating = %s, evaluation = 'done',"
        " evaluator = %s, evaluated_at = now(), evaluation_error = null,"
        " evaluation_lease_until = null where tenant_id = %s and id = %s",
        (result.score, result.rating, evaluator, claim.tenant_id, claim.assessment_id),
    )


def fail(conn: Conn, claim: Claim, evaluator: str, error: str) -> None:
    conn.execute(
        "update tenant.assessment set evaluation = 'failed', evaluator = %s,"
        " evaluated_at = now(), evaluation_error = %s, evaluation_lease_until = null"
        " where tenant_id = %s and id = %s",
        (evaluator, error[:500], claim.tenant_id, claim.assessment_id),
    )


def audit(conn: Conn, claim: Claim, action: str, detail: Mapping[str, Any]) -> None:
    conn.execute(
        "insert into tenant.audit_log (tenant_id, scope, action, target_type, target_id, detail)"
        " values (%s, 'tenants', %s, 'assessment', %s, %s)",
        (claim.tenant_id, action, str(claim.assessment_id), json.dumps(detail, default=str)),
    )


def audit_calls(conn: Conn, claim: Claim, calls: Sequence[Call], trace_id: str | None) -> None:
    for call in calls:
        audit(
            conn,
            claim,
            "assessment.model_call",
            {
                "question_id": call.question_id,
                "model": call.model,
                "input_tokens": call.input_tokens,
                "output_tokens": call.output_tokens,
                "latency_ms": call.latency_ms,
                "attempts": call.attempts,
                "request_id": call.request_id,
                "trace_id": trace_id,
                "error": call.error,
            },
        )


def recipients(conn: Conn, claim: Claim) -> list[UUID]:
    """The sender and the vendor's owner, when they are active members of the tenant."""
    rows = conn.execute(
        "select u.id from platform.users u where u.tenant_id = %s and u.is_active"
        " and (u.id = %s or u.id = (select owner_user_id from tenant.vendor"
        "      where tenant_id = %s and id = %s)) order by u.id",
        (claim.tenant_id, claim.sent_by, claim.tenant_id, claim.vendor_id),
    ).fetchall()
    return [UUID(str(r[0])) for r in rows]


def tell(conn: Conn, claim: Claim, title: str, body: str) -> int:
    return notify(
        conn,
        tenant_id=claim.tenant_id,
        user_ids=recipients(conn, claim),
        event="assessment.evaluated",
        title=title,
        body=body,
        link=REVIEW_LINK.format(assessment_id=claim.assessment_id),
        subject_kind="vendor",
        subject_id=claim.vendor_id,
        dedupe_key=f"assessment.evaluated:{claim.assessment_id}:{claim.token.isoformat()}",
    )
