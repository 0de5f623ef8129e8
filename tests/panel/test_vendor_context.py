"""The panel reads each vendor's third-party-risk state from the tenant's own rows: the last
completed assessment's date, score and rating, and the open findings with the worst severity,
under the tenant's scope (another tenant's assessments never show)."""

from __future__ import annotations

from datetime import UTC, datetime

from draxis.db.scope import scoped_transaction
from panel.context import load_snapshot
from tests.factories import Conn, TenantFixture
from tests.tprm import kit


def test_a_vendors_assessment_and_findings_reach_the_panel(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    sent = kit.send(app_conn, tenant_a)
    kit.send(app_conn, tenant_b)  # another tenant's vendor and assessment: never seen
    completed = datetime(2026, 3, 1, 12, tzinfo=UTC)
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute(
            "update tenant.assessment set status = 'completed', submitted_at = %s,"
            " completed_at = %s, score = 64.5, rating = 'high', link_sealed = null"
            " where id = %s",
            (completed, completed, sent.assessment_id),
        )
        for key, severity in (("a", "medium"), ("b", "high")):
            app_conn.execute(
                "insert into tenant.vendor_finding (tenant_id, vendor_id, source, dedupe_key,"
                " severity, title) values (%s, %s, 'assessment', %s, %s, 'Weak MFA')",
                (tenant_a.id, sent.vendor_id, key, severity),
            )
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        vendors = load_snapshot(app_conn, "How risky are our vendors?").vendors
    assert len(vendors) == 1
    assert vendors[0].assessment() == (
        "assessed 2026-03-01 score 64.5 (high risk); 2 open finding(s), worst high"
    )
