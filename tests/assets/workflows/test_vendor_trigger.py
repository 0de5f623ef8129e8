"""`vendor.reassessment_due`: a vendor fires one run when its reassessment falls within the
trigger's window: on its review date (set when a review completes) or, never assessed, at
onboarding (`draxis.tprm.cadence.ONBOARDING_DAYS` after it was added), the same day the vendor
profile and the reminders call it due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from draxis.db.scope import scoped_transaction
from draxis.settings import Settings
from draxis.tprm.cadence import ONBOARDING_DAYS
from tests.assets.workflows.kit import add_workflow, evaluate
from tests.conftest import Conn
from tests.factories import TenantFixture

DUE = {
    "trigger": {"type": "vendor.reassessment_due", "within_days": 7},
    "steps": [
        {
            "type": "create_task",
            "title": "Reassess {subject}",
            "assignee": {"role": "tenant_admin"},
        },
    ],
}


def _vendor(
    conn: Conn, tenant: TenantFixture, slug: str, added_days_ago: int, review: date | None
) -> object:
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "insert into tenant.vendor (tenant_id, slug, name, tier, created_at, review_date)"
            " values (%s, %s, %s, 2, %s, %s) returning id",
            (
                tenant.id,
                slug,
                slug.replace("_", " ").title(),
                datetime.now(UTC) - timedelta(days=added_days_ago),
                review,
            ),
        ).fetchone()
    assert row is not None
    return row[0]


def test_a_vendor_is_due_on_its_review_date_or_at_onboarding(
    settings: Settings, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    today = datetime.now(UTC).date()
    onboarding = ONBOARDING_DAYS
    vendors = {
        # never assessed, added long enough ago that onboarding is within the window: fires
        "new_overdue": _vendor(app_conn, tenant_a, "new_overdue", onboarding - 3, None),
        # never assessed, onboarding still weeks away: nothing
        "new_recent": _vendor(app_conn, tenant_a, "new_recent", 1, None),
        # reviewed: its review date decides, however old the vendor is
        "review_soon": _vendor(app_conn, tenant_a, "review_soon", 900, today + timedelta(days=5)),
        "review_later": _vendor(
            app_conn, tenant_a, "review_later", 900, today + timedelta(days=200)
        ),
    }
    workflow = add_workflow(app_conn, tenant_a, "Reassessments", DUE)
    evaluate(settings, tenant_a, status=False)
    evaluate(settings, tenant_a, status=False)
    runs = observer_conn.execute(
        "select subject_id from tenant.workflow_run where workflow_id = %s order by subject_label",
        (workflow,),
    ).fetchall()
    assert runs == [(vendors["new_overdue"],), (vendors["review_soon"],)]
