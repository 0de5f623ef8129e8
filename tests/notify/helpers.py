"""Test helpers for notifications: users of a tenant and notifications written the product's way."""

from __future__ import annotations

from uuid import UUID, uuid4

from assets.notify.webhook import new_secret, seal_secret
from draxis.db.scope import Scope, scoped_transaction
from draxis.notifications import notify
from draxis.settings import Settings
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


def add_endpoint(
    conn: Conn,
    settings: Settings,
    tenant: TenantFixture,
    url: str,
    *,
    events: tuple[str, ...] = (),
) -> tuple[UUID, str]:
    """A webhook endpoint written as the API writes it; (its id, its signing secret)."""
    endpoint_id = uuid4()
    secret = new_secret()
    with scoped_transaction(conn, Scope.tenant(tenant.id, tenant.org_id)):
        conn.execute(
            "insert into tenant.webhook_endpoint (id, tenant_id, url, events, secret_sealed)"
            " values (%s, %s, %s, %s, %s)",
            (
                endpoint_id,
                tenant.id,
                url,
                list(events),
                seal_secret(settings, tenant.id, endpoint_id, secret),
            ),
        )
    return endpoint_id, secret


def deliveries(observer: Conn, tenant: TenantFixture) -> list[tuple[str, str, int]]:
    """(channel, status, attempts) of the tenant's deliveries, as the cluster admin sees them."""
    rows = observer.execute(
        "select channel, status, attempts from tenant.notification_delivery"
        " where tenant_id = %s order by channel, created_at",
        (tenant.id,),
    ).fetchall()
    return [(str(r[0]), str(r[1]), int(r[2])) for r in rows]
