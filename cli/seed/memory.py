"""The demo's institutional memory: a few cited facts and one policy, so the panel has context.

Idempotent like the rest of the seed: facts by key, the policy by its SHA-256.
"""

from __future__ import annotations

import hashlib
from uuid import UUID

import psycopg
from psycopg.rows import TupleRow

from panel.documents import parse_document
from panel.memory_store import insert_document

Conn = psycopg.Connection[TupleRow]

# What each demo tenant's people would have written down; tenants not listed get the shared facts.
PROFILES: dict[str, tuple[tuple[str, str, str], ...]] = {
    "acme-health": (
        (
            "org.sector",
            "Regional healthcare provider: two clinics, a patient portal, EU and US patients.",
            "Company profile, board pack Q3",
        ),
        (
            "regulation.applicable",
            "HIPAA (US patients' PHI), GDPR (EU patients), NIS2 as a "
            "healthcare provider in the EU.",
            "Privacy counsel memo, March",
        ),
        (
            "crown_jewels",
            "Electronic health records, patient portal, scheduling system.",
            "BIA workshop, June",
        ),
    ),
    "globex-retail": (
        (
            "org.sector",
            "Online retail, EU and US customers; card payments through a processor.",
            "Company profile, board pack Q3",
        ),
        (
            "regulation.applicable",
            "GDPR (EU customers), CCPA (California customers), PCI DSS SAQ A.",
            "Privacy counsel memo, March",
        ),
        (
            "crown_jewels",
            "Customer database, order platform, payment integration.",
            "BIA workshop, June",
        ),
    ),
    "initech": (
        (
            "org.sector",
            "Manufacturer: two plants with OT networks, a B2B ordering portal.",
            "Company profile, board pack Q3",
        ),
        (
            "regulation.applicable",
            "NIS2 (manufacturing of critical products), GDPR for staff and customer contacts.",
            "Privacy counsel memo, March",
        ),
        ("crown_jewels", "Plant control systems, ERP, the B2B portal.", "BIA workshop, June"),
    ),
}
SHARED = (
    ("insurance.renewal", "Cyber policy renews on 1 March; the carrier's questionnaire asks for "
     "MFA on all remote access, EDR on every endpoint and tested offline backups.",
     "Broker email, October"),
    ("incident_response.retainer", "IR retainer with a DFIR firm: 4-hour response SLA.",
     "Contract DFIR-2026-01"),
)  # fmt: skip


def facts_for(slug: str) -> tuple[tuple[str, str, str], ...]:
    return PROFILES.get(slug, ()) + SHARED


POLICY_NAME = "information-security-policy.md"
POLICY = """# Information Security Policy (excerpt)

## Access control
Multi-factor authentication is required for all remote access, for every administrator and for
all cloud consoles. Exceptions need the CISO's written approval and expire after 90 days.

## Vulnerability management
Critical vulnerabilities on internet-facing systems are patched within 14 days, others within
30 days. The security team reports overdue patches to the risk committee monthly.

## Backups
Backups of the crown-jewel systems are kept offline or immutable, and a restore is tested every
quarter. A failed restore test is a high-severity finding.

## Third parties
Vendors that handle customer or patient data are tier 1: they are assessed before onboarding
and every year, must notify us of a breach within 48 hours, and sign the data-processing
agreement.

## Incident response
Suspected personal-data breaches are escalated to the DPO at once, so that a regulator can be
notified within 72 hours where GDPR requires it.
"""


def seed_memory(conn: Conn, tenant_id: UUID, slug: str) -> None:
    """Inside the caller's tenant-scoped transaction."""
    for key, value, citation in facts_for(slug):
        conn.execute(
            "insert into tenant.institutional_knowledge (tenant_id, key, value, citation)"
            " values (%s, %s, %s, %s) on conflict (tenant_id, key) do nothing",
            (tenant_id, key, value, citation),
        )
    data = POLICY.encode()
    sha256 = hashlib.sha256(data).hexdigest()
    exists = conn.execute(
        "select 1 from tenant.institutional_documents where sha256 = %s", (sha256,)
    ).fetchone()
    if exists is None:
        insert_document(
            conn,
            tenant_id,
            title="Information Security Policy",
            filename=POLICY_NAME,
            citation="Information Security Policy v4, approved by the board",
            data=data,
            sha256=sha256,
            parsed=parse_document(POLICY_NAME, data),
            uploaded_by=None,
        )
