"""RLS on the delivery tables: tenant B never sees A's endpoints, deliveries, delivery log or
preferences; within a tenant, preferences are each user's own; the pipeline sees only its batch."""

from __future__ import annotations

import psycopg
import pytest

from assets.database import DraxisDatabase
from assets.notify.worker import deliver_due
from draxis.db.scope import Scope, scoped_transaction
from draxis.settings import Settings
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import create_user
from tests.notify.helpers import add_endpoint, notify_user, user_id_of

TABLES = (
    "tenant.webhook_endpoint",
    "tenant.notification_delivery",
    "tenant.delivery_attempt",
    "tenant.notification_preference",
)


def _counts(
    conn: Conn, scope: Scope, tenant: TenantFixture, tables: tuple[str, ...] = TABLES
) -> dict[str, int]:
    found = {}
    with scoped_transaction(conn, scope, read_only=True):
        for table in tables:
            row = conn.execute(
                f"select count(*) from {table} where tenant_id = %s",
                (tenant.id,),
            ).fetchone()
            assert row is not None
            found[table] = int(row[0])
    return found


def test_tenant_b_sees_nothing_of_as_delivery_rows(
    settings: Settings,
    app_conn: Conn,
    pipeline_conn: Conn,
    database: DraxisDatabase,
    tenant_a: TenantFixture,
    tenant_b: TenantFixture,
) -> None:
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    with scoped_transaction(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id, user)):
        app_conn.execute(
            "insert into tenant.notification_preference (tenant_id, user_id, digest)"
            " values (%s, %s, false)",
            (tenant_a.id, user),
        )
    add_endpoint(app_conn, settings, tenant_a, "https://192.0.2.10/hook")  # refused: a log row
    notify_user(app_conn, tenant_a, user)
    deliver_due(database, settings.model_copy(update={"smtp_host": None}))

    own = _counts(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id, user), tenant_a)
    assert all(own.values()), own
    b_admin = user_id_of(app_conn, tenant_b, tenant_b.user_email)
    assert set(
        _counts(app_conn, Scope.tenant(tenant_b.id, tenant_b.org_id, b_admin), tenant_a).values()
    ) == {0}
    readable = tuple(t for t in TABLES if t != "tenant.delivery_attempt")  # the pipeline: insert
    outside = _counts(pipeline_conn, Scope.tenants([tenant_b.id]), tenant_a, readable)
    assert set(outside.values()) == {0}
    assert all(_counts(pipeline_conn, Scope.tenants([tenant_a.id]), tenant_a, readable).values())

    colleague = create_user(app_conn, "tenant_user", tenant=tenant_a)
    theirs = _counts(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id, colleague.id), tenant_a)
    assert theirs["tenant.notification_preference"] == 0


def test_nobody_writes_anothers_preferences(app_conn: Conn, tenant_a: TenantFixture) -> None:
    user = user_id_of(app_conn, tenant_a, tenant_a.user_email)
    colleague = create_user(app_conn, "tenant_user", tenant=tenant_a)
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"),
        scoped_transaction(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id, colleague.id)),
    ):
        app_conn.execute(
            "insert into tenant.notification_preference (tenant_id, user_id, digest)"
            " values (%s, %s, true)",
            (tenant_a.id, user),
        )


def test_the_pipeline_reads_recipients_addresses_only(
    pipeline_conn: Conn, tenant_a: TenantFixture
) -> None:
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id]), read_only=True):
        rows = pipeline_conn.execute("select email from platform.users").fetchall()
    assert [r[0] for r in rows] == [tenant_a.user_email]
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id]), read_only=True),
    ):
        pipeline_conn.execute("select password_hash from platform.users")
