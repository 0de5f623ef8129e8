"""A submitted assessment waiting for evaluation, written as the product writes it (the app role,
tenant scope): answers, evidence files, status `submitted`, evaluation `pending`; the sender and
the vendor's owner are real users of the tenant."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from draxis.db.scope import scoped_transaction
from tests.factories import Conn, TenantFixture
from tests.identity import create_user
from tests.tprm import kit

ANSWERS: dict[str, Any] = {
    "mfa": True,
    "mfa.scope": "all",
    "integrations": ["okta"],
    "pentest": "2026-06-01",
    "staff": 4,
    "ir": "We notify affected customers by e-mail within 24 hours of confirming a breach.",
}
SOC2 = b"SOC 2 Type II report. Period 2026-01-01 to 2026-09-30. Opinion issued 2026-10-15."


@dataclass(frozen=True, slots=True)
class Submitted:
    sent: kit.Sent
    sender: UUID
    owner: UUID

    @property
    def id(self) -> UUID:
        return self.sent.assessment_id


def submit(
    conn: Conn,
    tenant: TenantFixture,
    *,
    answers: dict[str, Any] | None = None,
    files: dict[str, list[tuple[str, str, bytes]]] | None = None,
    document: dict[str, Any] | None = None,
) -> Submitted:
    """Send SAMPLE (or `document`), answer it, upload `files` (question → [(name, type,
    bytes)]; a SOC 2 text file by default) and submit it for evaluation."""
    sender = create_user(conn, "tenant_admin", tenant=tenant).id
    owner = create_user(conn, "tenant_user", tenant=tenant).id
    questionnaire = kit.publish(conn, tenant, document) if document else None
    sent = kit.send(conn, tenant, questionnaire_id=questionnaire)
    given = ANSWERS if answers is None else answers
    uploads = {"soc2": [("soc2-report.txt", "text/plain", SOC2)]} if files is None else files
    with scoped_transaction(conn, tenant.scope):
        conn.execute(
            "update tenant.vendor set owner_user_id = %s where id = %s", (owner, sent.vendor_id)
        )
        for question_id, value in given.items():
            conn.execute(
                "insert into tenant.assessment_answer (tenant_id, assessment_id, question_id,"
                " value) values (%s, %s, %s, %s)",
                (tenant.id, sent.assessment_id, question_id, json.dumps(value)),
            )
        for question_id, uploaded in uploads.items():
            for name, kind, content in uploaded:
                conn.execute(
                    "insert into tenant.assessment_evidence (tenant_id, assessment_id,"
                    " question_id, filename, content_type, size_bytes, sha256, content)"
                    " values (%s, %s, %s, %s, %s, %s, %s, %s)",
                    (tenant.id, sent.assessment_id, question_id, name, kind, len(content),
                     hashlib.sha256(content).digest(), content),
                )  # fmt: skip
        conn.execute(
            "update tenant.assessment set status = 'submitted', submitted_at = now(),"
            " evaluation = 'pending', link_sealed = null, sent_by = %s where id = %s",
            (sender, sent.assessment_id),
        )
    return Submitted(sent, sender, owner)


def assessment(conn: Conn, tenant: TenantFixture, assessment_id: UUID) -> dict[str, Any]:
    with scoped_transaction(conn, tenant.scope, read_only=True):
        cur = conn.execute(
            "select status, score, rating, evaluation, evaluator, evaluated_at, evaluation_error,"
            " evaluation_lease_until from tenant.assessment where id = %s",
            (assessment_id,),
        )
        row = cur.fetchone()
        assert row is not None
        assert cur.description is not None
        return dict(zip([c.name for c in cur.description], row, strict=True))


def answers(conn: Conn, tenant: TenantFixture, assessment_id: UUID) -> dict[str, dict[str, Any]]:
    with scoped_transaction(conn, tenant.scope, read_only=True):
        rows = conn.execute(
            "select question_id, value, auto_score, auto_source, auto_rationale"
            " from tenant.assessment_answer where assessment_id = %s",
            (assessment_id,),
        ).fetchall()
    return {
        r[0]: {"value": r[1], "score": None if r[2] is None else float(r[2]), "source": r[3],
               "rationale": r[4]}
        for r in rows
    }  # fmt: skip


def audit_actions(conn: Conn, tenant: TenantFixture, assessment_id: UUID) -> list[tuple[str, Any]]:
    with scoped_transaction(conn, tenant.scope, read_only=True):
        rows = conn.execute(
            "select action, detail from tenant.audit_log where target_type = 'assessment'"
            " and target_id = %s order by at, action",
            (str(assessment_id),),
        ).fetchall()
    return [(str(r[0]), r[1]) for r in rows]


def notifications(observer: Conn, tenant: TenantFixture, event: str) -> list[tuple[Any, ...]]:
    """(user, title, dedupe key) of the tenant's notifications of `event`, read as the observer
    (the app may not read a colleague's notifications)."""
    return observer.execute(
        "select user_id, title, dedupe_key from tenant.notification"
        " where tenant_id = %s and event = %s order by user_id, created_at",
        (tenant.id, event),
    ).fetchall()
