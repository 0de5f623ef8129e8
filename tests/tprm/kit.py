"""TPRM test data written the way the product writes it: as the app role, under the tenant scope.

`SAMPLE` is a small questionnaire that uses every question type, a condition, weights, required
evidence and an `attests: integrations` question; `publish` stores a document as a published
version; `send` creates an open assessment and returns its link's raw token.
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

from draxis.db.scope import Scope, scoped_transaction
from tests.factories import Conn, TenantFixture

SAMPLE: dict[str, Any] = {
    "format": "draxis.questionnaire/1",
    "name": "Sample security questionnaire",
    "description": "Every question type once.",
    "steps": [
        {
            "id": "access",
            "title": "Access control",
            "questions": [
                {
                    "id": "mfa",
                    "type": "yes_no",
                    "text": "Do all staff use multi-factor authentication?",
                    "expected": True,
                    "weight": 3,
                    "severity": "high",
                    "evidence": "optional",
                },
                {
                    "id": "mfa.scope",
                    "type": "single_choice",
                    "text": "Which accounts use MFA?",
                    "show_if": {"question": "mfa", "equals": True},
                    "options": [
                        {"value": "all", "label": "All accounts", "score": 1},
                        {"value": "admins", "label": "Administrators only", "score": 0.4},
                    ],
                },
                {
                    "id": "integrations",
                    "type": "multi_choice",
                    "text": "Which of our systems does your service integrate with?",
                    "required": False,
                    "weight": 0,
                    "attests": "integrations",
                    "options": [
                        {"value": "okta", "label": "Okta"},
                        {"value": "slack", "label": "Slack"},
                        {"value": "salesforce", "label": "Salesforce"},
                    ],
                },
            ],
        },
        {
            "id": "assurance",
            "title": "Assurance",
            "questions": [
                {
                    "id": "pentest",
                    "type": "date",
                    "text": "When was your last external penetration test?",
                    "within_days": 365,
                    "weight": 2,
                },
                {
                    "id": "staff",
                    "type": "number",
                    "text": "How many security staff do you employ?",
                    "min": 0,
                    "max": 100000,
                    "at_least": 2,
                },
                {
                    "id": "ir",
                    "type": "text",
                    "text": "How and how fast do you notify customers of a breach?",
                    "evaluate": True,
                    "requirement": "Customers are notified within 72 hours of confirmation.",
                    "weight": 2,
                    "severity": "high",
                },
                {
                    "id": "soc2",
                    "type": "file",
                    "text": "Upload your latest SOC 2 Type II report.",
                    "evaluate": True,
                    "requirement": "A SOC 2 Type II report less than 12 months old.",
                    "severity": "critical",
                },
            ],
        },
    ],
}


@dataclass(frozen=True, slots=True)
class Sent:
    assessment_id: UUID
    vendor_id: UUID
    questionnaire_id: UUID
    version: int
    token: str  # the raw token of the vendor link

    @property
    def digest(self) -> bytes:
        return hashlib.sha256(self.token.encode()).digest()

    @property
    def scope(self) -> Scope:
        return Scope.respondent_of(self.digest)


def vendor(conn: Conn, tenant: TenantFixture, slug: str = "acme", tier: int = 1) -> UUID:
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "insert into tenant.vendor (tenant_id, slug, name, tier) values (%s, %s, %s, %s)"
            " returning id",
            (tenant.id, f"{slug}_{uuid.uuid4().hex[:6]}", slug.title(), tier),
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def publish(conn: Conn, tenant: TenantFixture, document: dict[str, Any] | None = None) -> UUID:
    """A questionnaire with `document` (SAMPLE by default) published as version 1."""
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "insert into tenant.questionnaire (tenant_id, slug, name) values (%s, %s, %s)"
            " returning id",
            (tenant.id, f"q-{uuid.uuid4().hex[:8]}", (document or SAMPLE)["name"]),
        ).fetchone()
        assert row is not None
        conn.execute(
            "insert into tenant.questionnaire_version (tenant_id, questionnaire_id, version,"
            " status, document, published_at) values (%s, %s, 1, 'published', %s, now())",
            (tenant.id, row[0], json.dumps(document or SAMPLE)),
        )
    return UUID(str(row[0]))


def send(
    conn: Conn,
    tenant: TenantFixture,
    *,
    vendor_id: UUID | None = None,
    questionnaire_id: UUID | None = None,
    expires_in: timedelta = timedelta(days=30),
    due: date | None = None,
) -> Sent:
    """An open assessment (status `sent`) and the raw token of its link."""
    vendor_id = vendor_id or vendor(conn, tenant)
    questionnaire_id = questionnaire_id or publish(conn, tenant)
    token = secrets.token_urlsafe(32)
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "insert into tenant.assessment (tenant_id, vendor_id, questionnaire_id, version,"
            " vendor_name, requester_name, recipient_name, recipient_email, due_date,"
            " token_hash, token_expires_at)"
            " select %s, v.id, %s, 1, v.name, 'Tenant', 'Vera Vendor', 'vera@vendor.example',"
            " %s, %s, %s from tenant.vendor v where v.id = %s returning id",
            (
                tenant.id,
                questionnaire_id,
                due or date.today() + timedelta(days=14),
                hashlib.sha256(token.encode()).digest(),
                datetime.now(UTC) + expires_in,
                vendor_id,
            ),
        ).fetchone()
    assert row is not None
    return Sent(UUID(str(row[0])), vendor_id, questionnaire_id, 1, token)
