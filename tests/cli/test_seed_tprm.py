"""The demo's TPRM seed with the shipped library's shape: two questionnaires, the completed
assessment answered, scored and with its findings and evidence, the open one on the other."""

from __future__ import annotations

from typing import Any

import pytest

import cli.seed.tprm as tprm_seed
from cli.seed.risk_model import seed_risk_model
from draxis.db.scope import scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.tprm.kit import SAMPLE


def test_the_seed_asks_the_library_and_scores_the_completed_assessment(
    monkeypatch: pytest.MonkeyPatch, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    library: list[tuple[str, dict[str, Any]]] = [("core-security", SAMPLE), ("cloud-saas", SAMPLE)]
    monkeypatch.setattr(tprm_seed, "_documents", lambda: library)
    with scoped_transaction(app_conn, tenant_a.scope):
        seed_risk_model(app_conn, tenant_a.id, "poor")
        tprm_seed.seed_tprm(app_conn, tenant_a.id, "poor", "Tenant A")
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        assessments = app_conn.execute(
            "select q.slug, a.status, a.score, a.rating, v.slug from tenant.assessment a"
            " join tenant.questionnaire q on q.id = a.questionnaire_id"
            " join tenant.vendor v on v.id = a.vendor_id order by q.slug"
        ).fetchall()
        answers: dict[str, Any] = dict(
            app_conn.execute("select question_id, value from tenant.assessment_answer").fetchall()
        )
        findings = app_conn.execute(
            "select question_id, severity, source, status from tenant.vendor_finding"
        ).fetchall()
        evidence = app_conn.execute("select question_id from tenant.assessment_evidence").fetchall()
    assert [(r[0], r[1], r[4]) for r in assessments] == [
        ("cloud-saas", "sent", "cloud_hosting"),
        ("core-security", "completed", "payroll_provider"),
    ]
    # Poor: the first yes/no misses, so its follow-up (shown only after a yes) is not asked.
    assert answers["mfa"] is False
    assert "mfa.scope" not in answers
    assert float(assessments[1][2]) == 60.0
    assert assessments[1][3] is not None
    assert [tuple(f) for f in findings] == [("mfa", "high", "assessment", "open")]
    assert [e[0] for e in evidence] == ["soc2"]
