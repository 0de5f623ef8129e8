"""`acceptance.expiring` against the contract the risk-acceptance work of issue 18 provides:
`tenant.risk_acceptance(tenant_id, id, risk_id, status, expires_at)`. Until that table exists
the trigger is stored and fires nothing; with it, an approved acceptance expiring within the
window fires one run on its risk.

While this branch stands alone, the test creates the table in the contract's shape (as the
cluster admin, with the batch policy and the pipeline's SELECT) and drops it afterwards; once
the real table is merged, the test uses it and leaves it in place."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

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
CONTRACT = """
create table tenant.risk_acceptance (
    tenant_id uuid not null, id uuid not null default gen_random_uuid(), risk_id uuid not null,
    status text not null, expires_at timestamptz not null, primary key (tenant_id, id));
alter table tenant.risk_acceptance enable row level security;
alter table tenant.risk_acceptance force row level security;
create policy pipeline_batch on tenant.risk_acceptance to draxis_pipeline
    using (tenant_id = any ((select platform.current_tenant_ids())::uuid[]));
grant select on tenant.risk_acceptance to draxis_pipeline;
"""


def _exists(observer: Conn) -> bool:
    row = observer.execute("select to_regclass('tenant.risk_acceptance') is not null").fetchone()
    return bool(row and row[0])


@pytest.fixture
def acceptances(observer_conn: Conn) -> Iterator[None]:
    created = not _exists(observer_conn)
    if created:
        observer_conn.execute(CONTRACT)
    try:
        yield
    finally:
        if created:
            observer_conn.execute("drop table tenant.risk_acceptance")


def _risk(conn: Conn, tenant: TenantFixture) -> object:
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "insert into tenant.risk (tenant_id, slug, title) values (%s, 'accepted', 'Accepted')"
            " returning id",
            (tenant.id,),
        ).fetchone()
    assert row is not None
    return row[0]


def test_without_the_table_the_trigger_fires_nothing(
    settings: Settings, app_conn: Conn, observer_conn: Conn, tenant_a: TenantFixture
) -> None:
    if _exists(observer_conn):  # merged with the acceptance work: covered by the test below
        return
    workflow = add_workflow(app_conn, tenant_a, "Expiring", EXPIRING)
    evaluate(settings, tenant_a, status=False)
    runs = observer_conn.execute(
        "select count(*) from tenant.workflow_run where workflow_id = %s", (workflow,)
    ).fetchone()
    assert runs == (0,)


def test_an_approved_acceptance_expiring_soon_fires_one_run_on_its_risk(
    settings: Settings,
    app_conn: Conn,
    observer_conn: Conn,
    tenant_a: TenantFixture,
    acceptances: None,
) -> None:
    risk = _risk(app_conn, tenant_a)
    soon, later = datetime.now(UTC) + timedelta(days=3), datetime.now(UTC) + timedelta(days=60)
    for status, expires in (("approved", soon), ("approved", later), ("rejected", soon)):
        observer_conn.execute(
            "insert into tenant.risk_acceptance (tenant_id, risk_id, status, expires_at)"
            " values (%s, %s, %s, %s)",
            (tenant_a.id, risk, status, expires),
        )
    workflow = add_workflow(app_conn, tenant_a, "Expiring", EXPIRING)
    evaluate(settings, tenant_a, status=False)
    evaluate(settings, tenant_a, status=False)
    runs = observer_conn.execute(
        "select subject_kind, subject_id, subject_label from tenant.workflow_run"
        " where workflow_id = %s",
        (workflow,),
    ).fetchall()
    assert runs == [("risk", risk, "Accepted")]
