"""Evaluation of submitted assessments by the model client (or the offline analyst's rules).

One assessment, three steps, and never a transaction or connection open across the model call:

1. **Claim** (one short transaction, committed): a compare-and-set lease on the pending,
   submitted assessment (`evaluation_store.claim`); another tick finds it held and moves on.
2. **Read** (one read-only transaction): the questionnaire version, the answers, the evidence
   counts, the files of the answers the model evaluates, the tenant's written requirements.
   Then, with no connection: `draxis.tprm.scoring.rule_score` says which shown answers need
   the model (text and file questions marked `evaluate`); the evaluator scores them.
3. **Write** (one transaction, only while the claim still holds): each answer's automatic
   score, source and rationale; the result recomputed with `draxis.tprm.scoring.assess`
   (score, rating, evaluation `done`, evaluator, time); the audit rows (every model call and
   the outcome); a notification to the sender and the vendor's owner. A failure stores
   evaluation `failed` with a readable `evaluation_error` instead; the reviewer can still
   complete the assessment by hand.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Literal, Protocol
from uuid import UUID

from pydantic import ValidationError

from assets.tenants import Conn
from assets.tprm import evaluation_store as store
from draxis.db.scope import Scope, scoped_transaction
from draxis.tprm.answers import visible
from draxis.tprm.document import FileQuestion, Question, QuestionnaireDocument, TextQuestion
from draxis.tprm.evaluation import (
    EvaluationFailed,
    Evaluator,
    EvidenceFile,
    Item,
    Outcome,
    Request,
)
from draxis.tprm.scoring import AnswerState, assess, rule_score, values

log = logging.getLogger("assets.tprm.evaluate")
LEASE = timedelta(minutes=15)  # longer than any evaluation: the model client's retries included
TENANT_BATCH = 2000
NO_ANSWER = "No answer was given to a required question the model would have evaluated."

Status = Literal["done", "failed", "skipped"]


class Connections(Protocol):
    def connection(self) -> AbstractContextManager[Conn]: ...

    def pooled(self) -> AbstractContextManager[Conn]:
        """A connection of the process's pool, given back (not closed) after each step."""
        ...


@dataclass(slots=True)
class Summary:
    done: int = 0
    failed: int = 0
    skipped: int = 0  # claimed elsewhere, or changed while evaluated (cancelled, re-sent)

    def count(self, status: Status) -> None:
        setattr(self, status, getattr(self, status) + 1)


@dataclass(frozen=True, slots=True)
class Plan:
    """What the model evaluates, and what the rules settle without it."""

    model: tuple[Question, ...]
    settled: dict[str, tuple[float, str, str]]  # question → (score, source, rationale)


def plan(
    document: QuestionnaireDocument,
    states: Mapping[str, AnswerState],
    evidence: Mapping[str, int],
    today: date,
) -> Plan:
    """The shown questions the rules leave to the model: answered ones go to the model; a
    required one left unanswered scores 0 by the rules; an optional one left unanswered is not
    scored (as `assess` counts it)."""
    to_model: list[Question] = []
    settled: dict[str, tuple[float, str, str]] = {}
    for question in visible(document, values(states)):
        state = states.get(question.id, AnswerState(None))
        if not rule_score(question, state.value, today).needs_model:
            continue
        answered = (isinstance(state.value, str) and state.value.strip() != "") or (
            evidence.get(question.id, 0) > 0
        )
        if answered:
            to_model.append(question)
        elif question.required:
            settled[question.id] = (0.0, "rules", NO_ANSWER)
    return Plan(tuple(to_model), settled)


def items(
    questions: Iterable[Question],
    states: Mapping[str, AnswerState],
    files: Mapping[str, list[EvidenceFile]],
) -> tuple[Item, ...]:
    made: list[Item] = []
    for q in questions:
        value = states.get(q.id, AnswerState(None)).value
        kind: Literal["text", "file"] = "file" if isinstance(q, FileQuestion) else "text"
        answer = value if isinstance(q, TextQuestion) and isinstance(value, str) else None
        made.append(
            Item(q.id, q.text, q.help, q.requirement, kind, answer, tuple(files.get(q.id, ())))
        )
    return tuple(made)


async def evaluate_pending(
    database: Connections,
    evaluator: Evaluator,
    *,
    limit: int = 50,
    budget_s: float | None = None,
) -> Summary:
    """Evaluate up to `limit` claimable assessments across every tenant, oldest first; stop
    starting new ones after `budget_s` seconds."""
    summary = Summary()
    deadline = None if budget_s is None else time.monotonic() + budget_s
    for tenant_id, assessment_id in find_claimable(database, limit):
        if deadline is not None and time.monotonic() >= deadline:
            break
        summary.count(await evaluate_one(database, evaluator, tenant_id, assessment_id))
    if summary.done or summary.failed:
        log.info(
            "assessment evaluations: done %d, failed %d, skipped %d",
            summary.done,
            summary.failed,
            summary.skipped,
        )
    return summary


def tenant_batches(database: Connections) -> list[list[UUID]]:
    """Every live tenant's id, in batches for `Scope.tenants`."""
    with (
        database.connection() as conn,
        scoped_transaction(conn, Scope.platform(), read_only=True),
    ):
        rows = conn.execute(
            "select id from platform.tenants where deleted_at is null order by id"
        ).fetchall()
    ids = [UUID(str(r[0])) for r in rows]
    return [ids[start : start + TENANT_BATCH] for start in range(0, len(ids), TENANT_BATCH)]


def waiting(database: Connections, limit: int) -> list[tuple[UUID, UUID, datetime | None]]:
    """(tenant, assessment, lease) of up to `limit` claimable assessments, oldest first."""
    found: list[tuple[UUID, UUID, datetime | None]] = []
    batches = tenant_batches(database)
    with database.connection() as conn:
        for batch in batches:
            with scoped_transaction(conn, Scope.tenants(batch), read_only=True):
                found += store.claimable(conn, limit - len(found))
            if len(found) >= limit:
                break
    return found


def find_claimable(database: Connections, limit: int) -> list[tuple[UUID, UUID]]:
    return [(t, a) for t, a, _ in waiting(database, limit)]


async def evaluate_one(
    database: Connections,
    evaluator: Evaluator,
    tenant_id: UUID,
    assessment_id: UUID,
    *,
    lease: timedelta = LEASE,
) -> Status:
    scope = Scope.tenants([tenant_id])
    with database.pooled() as conn, scoped_transaction(conn, scope):
        claim = store.claim(conn, tenant_id, assessment_id, lease)
    if claim is None:
        return "skipped"
    try:
        with database.pooled() as conn, scoped_transaction(conn, scope, read_only=True):
            loaded = store.load(conn, claim)
            work = plan(loaded.document, loaded.states, loaded.evidence_counts, claim.today)
            files = store.evidence(conn, claim, [q.id for q in work.model]) if work.model else {}
    except (LookupError, ValidationError) as exc:
        reason = f"The questionnaire version cannot be read: {str(exc)[:300]}"
        return _record_failure(database, claim, evaluator, EvaluationFailed(reason))
    request = Request(
        tenant_id,
        assessment_id,
        claim.vendor_name,
        loaded.policy,
        claim.today,
        items(work.model, loaded.states, files),
    )
    del files  # the evidence bytes are not kept past the call
    try:
        outcome = await evaluator.evaluate(request) if request.items else Outcome(())
        _check_complete(request, outcome)
    except EvaluationFailed as exc:
        return _record_failure(database, claim, evaluator, exc)
    except Exception as exc:  # an evaluator bug must not leave the claim to expire silently
        log.exception("assessment evaluation crashed", extra={"assessment_id": str(assessment_id)})
        failure = EvaluationFailed(f"The evaluation stopped unexpectedly ({type(exc).__name__}).")
        return _record_failure(database, claim, evaluator, failure)
    return _record_success(database, claim, evaluator, loaded.document, work, outcome)


def _check_complete(request: Request, outcome: Outcome) -> None:
    scored = {v.question_id for v in outcome.verdicts}
    missing = [i.question_id for i in request.items if i.question_id not in scored]
    if missing:
        raise EvaluationFailed(
            f"The evaluation gave no score for {', '.join(missing[:5])}.",
            outcome.calls,
            outcome.trace_id,
        )


def _record_success(
    database: Connections,
    claim: store.Claim,
    evaluator: Evaluator,
    document: QuestionnaireDocument,
    work: Plan,
    outcome: Outcome,
) -> Status:
    scores = dict(work.settled)
    for verdict in outcome.verdicts:
        scores[verdict.question_id] = (verdict.score, evaluator.source, verdict.rationale)
    with database.pooled() as conn, scoped_transaction(conn, Scope.tenants([claim.tenant_id])):
        if not store.still_claimed(conn, claim):
            return "skipped"
        store.write_scores(conn, claim, scores)
        result = assess(
            document, store.states(conn, claim), claim.today, store.evidence_counts(conn, claim)
        )
        store.finish(conn, claim, result, evaluator.name)
        store.audit_calls(conn, claim, outcome.calls, outcome.trace_id)
        store.audit(
            conn,
            claim,
            "assessment.evaluated",
            {
                "evaluator": evaluator.name,
                "source": evaluator.source,
                "questions": len(outcome.verdicts),
                "score": result.score,
                "rating": result.rating,
                "pending": result.pending,
                "findings": len(result.findings),
                "trace_id": outcome.trace_id,
            },
        )
        scored = "no score" if result.score is None else f"{result.score:g}/100 ({result.rating})"
        store.tell(
            conn,
            claim,
            f"Assessment evaluated: {claim.vendor_name}",
            f"{claim.vendor_name}'s answers were evaluated by"
            f" {'the model client' if evaluator.source == 'model' else 'the offline rules'}:"
            f" {scored}. Review the scores and complete the assessment.",
        )
    return "done"


def _record_failure(
    database: Connections, claim: store.Claim, evaluator: Evaluator, failure: EvaluationFailed
) -> Status:
    error = str(failure) or "The evaluation failed."
    log.warning("assessment evaluation failed", extra={"assessment_id": str(claim.assessment_id)})
    with database.pooled() as conn, scoped_transaction(conn, Scope.tenants([claim.tenant_id])):
        if not store.still_claimed(conn, claim):
            return "skipped"
        store.fail(conn, claim, evaluator.name, error)
        store.audit_calls(conn, claim, failure.calls, failure.trace_id)
        store.audit(
            conn,
            claim,
            "assessment.evaluation_failed",
            {"evaluator": evaluator.name, "error": error, "trace_id": failure.trace_id},
        )
        store.tell(
            conn,
            claim,
            f"Assessment evaluation failed: {claim.vendor_name}",
            f"{claim.vendor_name}'s answers could not be evaluated automatically ({error})"
            " Review and score them by hand, then complete the assessment.",
        )
    return "failed"
