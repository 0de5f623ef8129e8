"""`acceptance.expiring`: an approved risk acceptance (migration 0020) whose expiry falls within
the trigger's window fires one run on its risk, however often the pipeline evaluates; one
expiring later, or one not approved, fires nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from tests.assets.workflows.kit import add_workflow, evaluate
from tests.conftest import Conn
from tests.factories import TenantFixture

EXPIRING = {
    "trigger": {"type": "acceptance.expiring", "within_days": 7},
    "steps": [
        {
            "type": "create_task",
            "title": "Review the acceptance of {subject}",
            "assignee": {"role": "tenant_admin"},
        },
    ],
}


def _risk(conn: Conn, tenant: TenantFixture, slug: str, title: str) -> object:
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "insert into tenant.risk (tenant_id, slug, title) values (%s, %s, %s) returning id",
            (tenant.id, slug, title),
        ).fetchone()
    assert row is not None
    return row[0]


def test_an_approved_acceptance_expiring_soon_fires_one_run_on_its_risk(
    settings: Settings,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    today = datetime.now(UTC).date()
    cases = (
        ("accepted", "Accepted", "approved", today + timedelta(days=3)),
        ("later", "Accepted later", "approved", today + timedelta(days=60)),
        ("refused", "Refused", "rejected", today + timedelta(days=3)),
    )
    risks = {}
    for slug, title, status, expires in cases:
        risks[slug] = _risk(app_conn, tenant_a, slug, title)
        observer_conn.execute(
            "insert into tenant.risk_acceptance (tenant_id, risk_id, justification, status,"
            " expires_at, decided_at, reason) values (%s, %s, 'Budgeted next year', %s, %s,"
            " now(), %s)",
            (tenant_a.id, risks[slug], status, expires, "No" if status == "rejected" else None),
        )
    risk = risks["accepted"]
    workflow = add_workflow(app_conn, tenant_a, "Expiring", EXPIRING)
    evaluate(settings, tenant_a, status=False)
    evaluate(settings, tenant_a, status=False)
    runs = observer_conn.execute(
        "select subject_kind, subject_id, subject_label from tenant.workflow_run"
        " where workflow_id = %s",
        (workflow,),
    ).fetchall()
    assert runs == [("risk", risk, "Accepted")]
