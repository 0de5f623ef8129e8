"""Test helpers for notifications: users of a tenant and notifications written the product's way."""

from __future__ import annotations

from uuid import UUID

from draxis.db.scope import Scope, scoped_transaction
from draxis.notifications import notify
from tests.conftest import Conn
from tests.factories import TenantFixture


def user_id_of(conn: Conn, tenant: TenantFixture, email: str) -> UUID:
    with scoped_transaction(conn, Scope.tenant(tenant.id, tenant.org_id), read_only=True):
        row = conn.execute("select id from platform.users where email = %s", (email,)).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def notify_user(
    conn: Conn,
    tenant: TenantFixture,
    user_id: UUID,
    *,
    event: str = "task.assigned",
    title: str = "A task for you",
    dedupe_key: str | None = None,
) -> UUID | None:
    """Notify one user as the app does (the tenant's scope), in its own transaction; the new
    row's id (None when `dedupe_key` had already been used)."""
    with scoped_transaction(conn, Scope.tenant(tenant.id, tenant.org_id)):
        written = notify(
            conn,
            tenant_id=tenant.id,
            user_ids=[user_id],
            event=event,
            title=title,
            body="Fix the patch backlog.",
            link="/tasks",
            dedupe_key=dedupe_key,
        )
    if not written:
        return None
    with scoped_transaction(conn, Scope.tenant(tenant.id, tenant.org_id, user_id), read_only=True):
        row = conn.execute(
            "select id from tenant.notification where user_id = %s order by created_at desc,"
            " id limit 1",
            (user_id,),
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))
