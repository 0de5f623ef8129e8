"""What the portal tests share: the vendor's header, a full set of answers for the kit's SAMPLE,
small valid files of each kind, and row counts as the cluster admin sees them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from tests.factories import Conn

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def vendor_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Assessment {token}"}


def full_answers(today: date | None = None) -> dict[str, Any]:
    """Every shown question of SAMPLE but the file question answered well."""
    day = today or date.today()
    return {
        "mfa": True,
        "mfa.scope": "all",
        "integrations": ["okta"],
        "pentest": (day - timedelta(days=30)).isoformat(),
        "staff": 4,
        "ir": "We notify affected customers within 24 hours of confirming a breach.",
    }


def counts(observer: Conn, assessment_id: UUID) -> tuple[int, int]:
    """(answers, evidence files) stored for the assessment, whatever RLS would show."""
    row = observer.execute(
        "select (select count(*) from tenant.assessment_answer where assessment_id = %s),"
        " (select count(*) from tenant.assessment_evidence where assessment_id = %s)",
        (assessment_id, assessment_id),
    ).fetchone()
    assert row is not None
    return int(row[0]), int(row[1])
