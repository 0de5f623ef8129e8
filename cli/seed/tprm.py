"""The demo's third-party risk: vendor profiles and contacts, the shipped questionnaires, one
completed assessment (answers, scores, findings), one open assessment, an overdue vendor, and the
`tprm` source with its KRIs, so the dashboard shows TPRM KRIs once the pipeline has run.

Runs inside the caller's tenant-scoped transaction, as the app role. Idempotent: a tenant that
already has its `tprm` source keeps its TPRM data as the analysts left it (its KRIs are wired
again if missing); only a tenant without one is seeded. The demo has no identity provider, so
integration drift finds nothing until one reports apps (docs/tprm.md).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

from connectors.first_party import TPRM, TPRM_KRIS
from draxis.tprm.answers import AnswerError, validate_answer, visible
from draxis.tprm.document import (
    DateQuestion,
    FileQuestion,
    MultiChoice,
    NumberQuestion,
    Question,
    QuestionnaireDocument,
    SingleChoice,
    TextQuestion,
    YesNo,
)
from draxis.tprm.library import LIBRARY_KEYS, library_document
from draxis.tprm.scoring import AnswerState, assess, rule_score

Conn = psycopg.Connection[TupleRow]

CATEGORY = "CIS 15: Service provider management"


@dataclass(frozen=True, slots=True)
class Profile:
    slug: str
    criticality: str
    data_access: str
    services: tuple[str, ...]
    subprocessors: tuple[str, ...]
    website: str
    app_match: tuple[str, ...]
    attested: tuple[str, ...]
    contact: tuple[str, str, str]  # name, e-mail, role
    contract_years: int
    added_days_ago: int  # when the vendor was onboarded


PROFILES = (
    Profile("payroll_provider", "critical", "restricted", ("Payroll", "Benefits"),
            ("Amazon Web Services", "Plaid"), "https://payroll.example", ("payroll",),
            ("Okta",), ("Priya Shah", "security@payroll.example", "CISO"), 3, 700),
    Profile("cloud_hosting", "high", "confidential", ("IaaS hosting", "Managed databases"),
            ("Equinix",), "https://cloud.example", ("cloud console",), (),
            ("Ola Berg", "trust@cloud.example", "Trust office"), 5, 20),
    # Onboarded long ago and never assessed: the demo's overdue vendor.
    Profile("email_security", "medium", "internal", ("Email filtering",), (),
            "https://mailguard.example", ("mailguard",), (),
            ("Lee Park", "support@mailguard.example", "Account manager"), 2, 400),
    Profile("office_supplies", "low", "none", ("Office supplies",), (),
            "https://supplies.example", (), (),
            ("Kim Ode", "orders@supplies.example", "Sales"), 1, 10),
)  # fmt: skip
# How long ago the payroll provider's assessment was completed, and how often a yes/no answer
# misses, by demo profile: the poor tenant's is overdue and full of findings.
COMPLETED_DAYS_AGO = {"healthy": 60, "mixed": 120, "poor": 420}
MISS_EVERY = {"healthy": 7, "mixed": 3, "poor": 2}  # see `_answer`


def seed_tprm(conn: Conn, tenant_id: UUID, profile: str, requester: str) -> None:
    """Seed the tenant's TPRM demo (see the module); `requester` signs the assessments."""
    created = conn.execute(
        "insert into tenant.kri_source (tenant_id, source_type, vendor_id, name, schedule,"
        " next_run_at) values (%s, %s, %s, %s, 'daily', now())"
        " on conflict (tenant_id, vendor_id) do nothing returning id",
        (tenant_id, TPRM.source_type, TPRM.vendor_id, TPRM.display_name),
    ).fetchone()
    _wire_kris(conn, tenant_id)
    if created is None:
        return
    vendors = _profiles(conn)
    versions = [_questionnaire(conn, tenant_id, key, doc) for key, doc in _documents()]
    _completed(conn, tenant_id, vendors["payroll_provider"], versions[0], profile, requester)
    _sent(conn, tenant_id, vendors["cloud_hosting"], versions[-1], requester)


def _wire_kris(conn: Conn, tenant_id: UUID) -> None:
    source = conn.execute(
        "select id from tenant.kri_source where vendor_id = %s", (TPRM.vendor_id,)
    ).fetchone()
    assert source is not None
    for k in TPRM_KRIS:
        conn.execute(
            "insert into tenant.kri (tenant_id, slug, name, description, unit, direction, warn,"
            " critical, source_id, category) values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
            " on conflict (tenant_id, slug) do update set source_id = excluded.source_id"
            " where tenant.kri.source_id is null",
            (tenant_id, k.slug, k.name, k.formula, k.unit, k.direction, k.warn, k.critical,
             source[0], CATEGORY),
        )  # fmt: skip
    # The TPRM KRIs tell on the demo model's vendor risk and on the outcomes it threatens.
    conn.execute(
        "insert into tenant.kri_risk (tenant_id, kri_id, risk_id)"
        " select k.tenant_id, k.id, r.id from tenant.kri k join tenant.risk r"
        " on r.tenant_id = k.tenant_id and r.slug = 'vendor_breach'"
        " where k.slug like 'tprm%%'"
        " on conflict do nothing"
    )
    conn.execute(
        "insert into tenant.kri_outcome (tenant_id, kri_id, outcome_id)"
        " select k.tenant_id, k.id, ro.outcome_id from tenant.kri k"
        " join tenant.risk r on r.tenant_id = k.tenant_id and r.slug = 'vendor_breach'"
        " join tenant.risk_outcome ro on ro.tenant_id = r.tenant_id and ro.risk_id = r.id"
        " where k.slug like 'tprm%%'"
        " on conflict do nothing"
    )


def _documents() -> list[tuple[str, dict[str, Any]]]:
    """The shipped questionnaires (`draxis/tprm/library/`), as the demo's tenant imports them."""
    return [(key, library_document(key).model_dump(mode="json")) for key in LIBRARY_KEYS]


def _profiles(conn: Conn) -> dict[str, tuple[UUID, str, str, str]]:
    """Fill in the demo vendors' profiles; each vendor's id, name, contact name and e-mail."""
    today = date.today()
    found: dict[str, tuple[UUID, str, str, str]] = {}
    for p in PROFILES:
        start = today - timedelta(days=p.added_days_ago)
        row = conn.execute(
            "update tenant.vendor set criticality = %s, data_access = %s, services = %s,"
            " subprocessors = %s, website = %s, app_match = %s, attested_integrations = %s,"
            " contract_start = %s, contract_end = %s, created_at = %s, updated_at = now()"
            " where slug = %s returning id, name, tenant_id",
            (p.criticality, p.data_access, list(p.services), list(p.subprocessors), p.website,
             list(p.app_match), list(p.attested), start,
             start.replace(year=start.year + p.contract_years),
             datetime.now(UTC) - timedelta(days=p.added_days_ago), p.slug),
        ).fetchone()  # fmt: skip
        if row is None:
            continue
        name, email, role = p.contact
        conn.execute(
            "insert into tenant.vendor_contact (tenant_id, vendor_id, name, email, role,"
            " is_primary) values (%s, %s, %s, %s, %s, true) on conflict do nothing",
            (row[2], row[0], name, email, role),
        )
        found[p.slug] = (row[0], row[1], name, email)
    return found


def _questionnaire(
    conn: Conn, tenant_id: UUID, key: str, document: dict[str, Any]
) -> tuple[UUID, QuestionnaireDocument]:
    row = conn.execute(
        "insert into tenant.questionnaire (tenant_id, slug, name, description, origin)"
        " values (%s, %s, %s, %s, %s) on conflict (tenant_id, slug) do update"
        " set updated_at = tenant.questionnaire.updated_at returning id",
        (tenant_id, key, document["name"], document.get("description", ""), f"library:{key}"),
    ).fetchone()
    assert row is not None
    conn.execute(
        "insert into tenant.questionnaire_version (tenant_id, questionnaire_id, version, status,"
        " document, published_at) values (%s, %s, 1, 'published', %s, now())"
        " on conflict do nothing",
        (tenant_id, row[0], json.dumps(document)),
    )
    return row[0], QuestionnaireDocument.model_validate(document)


def _insert_assessment(
    conn: Conn,
    tenant_id: UUID,
    vendor: tuple[UUID, str, str, str],
    questionnaire: UUID,
    requester: str,
    sent_days_ago: int,
    extra: str = "",
    extra_values: tuple[Any, ...] = (),
) -> UUID:
    vendor_id, vendor_name, contact, email = vendor
    sent = datetime.now(UTC) - timedelta(days=sent_days_ago)
    row = conn.execute(
        "insert into tenant.assessment (tenant_id, vendor_id, questionnaire_id, version,"
        " vendor_name, requester_name, recipient_name, recipient_email, due_date, token_hash,"
        f" token_expires_at, sent_at{extra}) values (%s, %s, %s, 1, %s, %s, %s, %s, %s, %s, %s,"
        f" %s{', %s' * len(extra_values)}) returning id",
        (tenant_id, vendor_id, questionnaire, vendor_name, requester, contact, email,
         (sent + timedelta(days=21)).date(), hashlib.sha256(secrets.token_bytes(32)).digest(),
         sent + timedelta(days=30), sent, *extra_values),
    ).fetchone()  # fmt: skip
    assert row is not None
    return UUID(str(row[0]))


def _sent(
    conn: Conn,
    tenant_id: UUID,
    vendor: tuple[UUID, str, str, str],
    version: tuple[UUID, QuestionnaireDocument],
    requester: str,
) -> None:
    """An open assessment, sent five days ago. Nobody holds its link (the seed keeps no token):
    resend it to get one."""
    _insert_assessment(conn, tenant_id, vendor, version[0], requester, 5)


def _answer(question: Question, index: int, miss_every: int, today: date) -> Any:
    """A plausible answer; the `index`-th yes/no answer misses when `index + 1` is a multiple
    of `miss_every` (poor: the 1st, 3rd, ...; mixed: the 2nd, 5th, ...; healthy: rarely)."""
    if isinstance(question, YesNo):
        expected = True if question.expected is None else question.expected
        return (not expected) if (index + 1) % miss_every == 0 else expected
    if isinstance(question, SingleChoice):
        return max(question.options, key=lambda o: o.score).value
    if isinstance(question, MultiChoice):
        best = [o.value for o in question.options if o.score > 0]
        return best or [question.options[0].value]
    if isinstance(question, NumberQuestion):
        wanted = question.at_least if question.at_least is not None else question.at_most
        return wanted if wanted is not None else (question.min or 1)
    if isinstance(question, DateQuestion):
        return (today - timedelta(days=90)).isoformat()
    if isinstance(question, TextQuestion):
        text = "We notify affected customers within 48 hours and follow our documented plan."
        return text[: question.max_length]
    return None  # file: answered by its evidence


def _completed(
    conn: Conn,
    tenant_id: UUID,
    vendor: tuple[UUID, str, str, str],
    version: tuple[UUID, QuestionnaireDocument],
    profile: str,
    requester: str,
) -> None:
    """A completed assessment with its answers scored (rules; the offline evaluator for what the
    model client scores), its score and rating, and the findings it raised."""
    questionnaire, document = version
    done_ago = COMPLETED_DAYS_AGO.get(profile, 120)
    done = datetime.now(UTC) - timedelta(days=done_ago)
    today = done.date()
    answers: dict[str, Any] = {}
    files: list[str] = []
    yes_no = 0
    for question in document.questions():
        if question in visible(document, answers):
            yes_no += isinstance(question, YesNo)
            value = _answer(question, yes_no, MISS_EVERY.get(profile, 3), today)
            if isinstance(question, FileQuestion):
                files.append(question.id)
            elif value is not None:
                try:  # as the portal stores it; a question the demo cannot answer stays empty
                    answers[question.id] = validate_answer(question, value)
                except AnswerError:
                    continue
    states: dict[str, AnswerState] = {}
    rationale: dict[str, tuple[str, str]] = {}
    for question in visible(document, answers):
        verdict = rule_score(question, answers.get(question.id), today)
        score, source = verdict.score, "rules"
        if verdict.needs_model:
            score, source = 0.8, "offline"
        if score is not None and (question.id in answers or question.id in files):
            rationale[question.id] = (source, verdict.rationale)
        states[question.id] = AnswerState(answers.get(question.id), score)
    result = assess(document, states, today, {q: 1 for q in files})
    assessment = _insert_assessment(
        conn, tenant_id, vendor, questionnaire, requester, done_ago + 14,
        ", status, opened_at, submitted_at, completed_at, score, rating, evaluation, evaluator,"
        " evaluated_at",
        ("completed", done - timedelta(days=10), done - timedelta(days=2), done, result.score,
         result.rating, "done", "offline", done - timedelta(days=1)),
    )  # fmt: skip
    for question_id in files:
        _evidence(conn, tenant_id, assessment, question_id, done)
    for question_id, value in answers.items():
        state = states.get(question_id, AnswerState(value))
        scored = rationale.get(question_id)
        conn.execute(
            "insert into tenant.assessment_answer (tenant_id, assessment_id, question_id, value,"
            " answered_at, auto_score, auto_source, auto_rationale)"
            " values (%s, %s, %s, %s, %s, %s, %s, %s)",
            (tenant_id, assessment, question_id, json.dumps(value), done - timedelta(days=3),
             state.auto_score if scored else None, scored[0] if scored else None,
             scored[1] if scored else None),
        )  # fmt: skip
    for finding in result.findings:
        conn.execute(
            "insert into tenant.vendor_finding (tenant_id, vendor_id, assessment_id, question_id,"
            " source, dedupe_key, severity, title, created_at, last_seen_at)"
            " values (%s, %s, %s, %s, 'assessment', %s, %s, %s, %s, %s) on conflict do nothing",
            (tenant_id, vendor[0], assessment, finding.question_id,
             f"assessment:{assessment}:{finding.question_id}", finding.severity,
             finding.title[:300], done, done),
        )  # fmt: skip


def _evidence(
    conn: Conn, tenant_id: UUID, assessment: UUID, question_id: str, at: datetime
) -> None:
    content = f"Demo evidence for {question_id}: the vendor's report, as uploaded.".encode()
    conn.execute(
        "insert into tenant.assessment_evidence (tenant_id, assessment_id, question_id, filename,"
        " content_type, size_bytes, sha256, content, uploaded_at)"
        " values (%s, %s, %s, %s, 'text/plain', %s, %s, %s, %s)",
        (tenant_id, assessment, question_id, f"{question_id}.txt", len(content),
         hashlib.sha256(content).digest(), content, at - timedelta(days=3)),
    )  # fmt: skip
