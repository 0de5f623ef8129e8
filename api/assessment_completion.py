"""Completing an assessment's review, in the request's one transaction (docs/tprm.md).

Only a submitted assessment completes, and only when no question still waits for the model
client, unless the model's evaluation failed and the reviewer forces it with a reason (what waits
then simply does not count). Completing stores the final score and rating; writes the vendor's
findings (`tenant.vendor_finding`, source `assessment`, one per failing question, keyed
`assessment:<id>:<question id>`); resolves the open findings that earlier assessments of the same
questionnaire raised on the questions this one scored (passed now: resolved; failing again:
superseded by this assessment's finding); copies the integrations the vendor attested onto the
vendor; and moves the vendor's review date to its next due date by the tenant's cadence.
"""

from __future__ import annotations

import re
from datetime import date

from api.access import Tx
from api.assessment_store import Loaded, load, utc_today
from api.problems import Problem
from api.schemas.assessments import AssessmentOut, CompleteIn
from draxis.tprm.answers import visible
from draxis.tprm.cadence import Cadence, next_due
from draxis.tprm.document import MultiChoice, TextQuestion
from draxis.tprm.scoring import Result, values

MAX_INTEGRATIONS = 200  # tenant.vendor's check (migration 0022)
_SPLIT = re.compile(r"[,\n\r;]+")


def completion_refusal(assessment: AssessmentOut, result: Result) -> str | None:
    """Why the review cannot complete now without forcing, or None when it can."""
    if assessment.status != "submitted":
        return (
            f"The assessment is {assessment.status.replace('_', ' ')}; only a submitted one"
            " can be completed."
        )
    if result.pending:
        waiting = f"{result.pending} question(s) still wait for the model evaluation"
        if assessment.evaluation == "failed":
            return f"{waiting}, which failed: complete with force and a reason, or override them."
        return f"{waiting}; complete once it is done, or override them."
    return None


def attested_integrations(loaded: Loaded) -> list[str] | None:
    """What the vendor's answers to `attests: integrations` questions list (option labels, or
    text split on commas and lines), in order, once each; None when no such question shows."""
    found: list[str] = []
    asked = False
    for question in visible(loaded.document, values(loaded.states())):
        if not isinstance(question, MultiChoice | TextQuestion) or question.attests is None:
            continue
        asked = True
        answer = loaded.answers.get(question.id)
        value = answer.value if answer else None
        if isinstance(question, MultiChoice) and isinstance(value, list):
            labels = {o.value: o.label for o in question.options}
            found += [labels.get(str(v), str(v)) for v in value]
        elif isinstance(value, str):
            found += _SPLIT.split(value)
    names = list(dict.fromkeys(n.strip() for n in found if n.strip()))
    return names[:MAX_INTEGRATIONS] if asked else None


def _write_findings(tx: Tx, assessment: AssessmentOut, loaded: Loaded, result: Result) -> None:
    failing = {f.question_id for f in result.findings}
    for finding in result.findings:
        answer = loaded.answers.get(finding.question_id)
        sent = assessment.sent_at.date().isoformat()
        detail = f"Scored {finding.score:.2f} in the assessment sent on {sent}."
        if answer and answer.override_reason:
            detail += f" Reviewer: {answer.override_reason}"
        tx.conn.execute(
            "insert into tenant.vendor_finding (tenant_id, vendor_id, assessment_id, question_id,"
            " source, dedupe_key, severity, title, detail)"
            " values (%s, %s, %s, %s, 'assessment', %s, %s, left(%s, 300), left(%s, 4000))"
            " on conflict (tenant_id, vendor_id, dedupe_key) do update set"
            " severity = excluded.severity, title = excluded.title, detail = excluded.detail,"
            " last_seen_at = now()",
            (
                tx.principal.tenant_id,
                assessment.vendor_id,
                assessment.id,
                finding.question_id,
                f"assessment:{assessment.id}:{finding.question_id}",
                finding.severity,
                finding.title,
                detail,
            ),
        )
    scored = [q.id for q in visible(loaded.document, values(loaded.states()))]
    tx.conn.execute(
        "update tenant.vendor_finding f set status = 'resolved', resolved_at = now(),"
        " resolved_by = %(user)s, resolution = case when f.question_id = any(%(failing)s)"
        "   then 'Superseded by the finding of the assessment completed on ' || %(day)s"
        "   else 'Passed in the assessment completed on ' || %(day)s end"
        " from tenant.assessment a"
        " where a.tenant_id = f.tenant_id and a.id = f.assessment_id"
        " and f.vendor_id = %(vendor)s and f.source = 'assessment' and f.status = 'open'"
        " and f.assessment_id <> %(id)s and a.questionnaire_id = %(questionnaire)s"
        " and f.question_id = any(%(scored)s)",
        {
            "user": tx.principal.user_id,
            "failing": list(failing),
            "day": utc_today(tx).isoformat(),
            "vendor": assessment.vendor_id,
            "id": assessment.id,
            "questionnaire": assessment.questionnaire_id,
            "scored": scored,
        },
    )


def _next_review(tx: Tx, vendor_id: object, today: date) -> date:
    row = tx.conn.execute(
        "select v.tier, v.created_at::date, p.tier1_months, p.tier2_months, p.tier3_months"
        " from tenant.vendor v left join tenant.tprm_policy p on p.tenant_id = v.tenant_id"
        " where v.id = %s for update of v",
        (vendor_id,),
    ).fetchone()
    assert row is not None  # the assessment's foreign key keeps its vendor
    tier, onboarded, *months = row
    cadence = Cadence(*months) if months[0] is not None else Cadence()
    return next_due(int(tier), cadence, today, onboarded)


def complete(tx: Tx, assessment: AssessmentOut, body: CompleteIn) -> None:
    """Complete a locked assessment's review, or refuse with a problem (nothing written)."""
    loaded = load(tx, assessment)
    today = utc_today(tx)
    result = loaded.result(today)
    refusal = completion_refusal(assessment, result)
    forced = False
    if refusal is not None:
        if assessment.status != "submitted" or assessment.evaluation != "failed":
            raise Problem(409, refusal)
        if not body.force:
            raise Problem(409, refusal)
        if body.reason is None:
            raise Problem(
                422,
                "Say why you complete while the model evaluation failed.",
                errors=[{"location": "body.reason", "message": "required with force"}],
            )
        forced = True
    tx.conn.execute(
        "update tenant.assessment set status = 'completed', completed_at = now(),"
        " completed_by = %s, score = %s, rating = %s, link_sealed = null where id = %s",
        (tx.principal.user_id, result.score, result.rating, assessment.id),
    )
    _write_findings(tx, assessment, loaded, result)
    integrations = attested_integrations(loaded)
    review_date = _next_review(tx, assessment.vendor_id, today)
    tx.conn.execute(
        "update tenant.vendor set review_date = %s,"
        " attested_integrations = coalesce(%s::text[], attested_integrations), updated_at = now()"
        " where id = %s",
        (review_date, integrations, assessment.vendor_id),
    )
    tx.audit(
        "assessment.complete",
        target_type="assessment",
        target_id=assessment.id,
        vendor_id=str(assessment.vendor_id),
        score=result.score,
        rating=result.rating,
        findings=len(result.findings),
        forced=forced,
        reason=body.reason if forced else None,
        pending_ignored=result.pending if forced else 0,
        review_date=review_date.isoformat(),
    )
