"""Fixtures of the attack suite.

`client` is redefined so that a server error answers 500 (the attack tests assert "never 500")
instead of re-raising inside the test, which would hide which request broke.
"""

from __future__ import annotations

from uuid import UUID, uuid4

import pytest
from fastapi.testclient import TestClient

from draxis.db.scope import Scope, scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import User, create_user


@pytest.fixture
def client(lenient: TestClient) -> TestClient:
    """The attack suite records a server error as a response (a 500) rather than raising it."""
    return lenient


@pytest.fixture
def master_a(app_conn: Conn, tenant_a: TenantFixture) -> User:
    """A master admin of tenant A's organization."""
    return create_user(app_conn, "master_admin", tenant=tenant_a)


@pytest.fixture
def user_a(app_conn: Conn, tenant_a: TenantFixture) -> User:
    """A tenant user of tenant A."""
    return create_user(app_conn, "tenant_user", tenant=tenant_a)


@pytest.fixture
def user_b(app_conn: Conn, tenant_b: TenantFixture) -> User:
    """A tenant user of tenant B (another organization)."""
    return create_user(app_conn, "tenant_user", tenant=tenant_b)


@pytest.fixture
def superadmin(app_conn: Conn) -> User:
    return create_user(app_conn, "superadmin")


def create_sibling_tenant(conn: Conn, tenant: TenantFixture, label: str = "sib") -> TenantFixture:
    """Another tenant in `tenant`'s organization, with its own tenant admin (no KRIs)."""
    suffix = uuid4().hex[:8]
    slug = f"t-{label}-{suffix}"
    with scoped_transaction(conn, Scope.platform()):
        row = conn.execute(
            "insert into platform.tenants (organization_id, slug, name) values (%s, %s, %s)"
            " returning id",
            (tenant.org_id, slug, f"Tenant {label}"),
        ).fetchone()
    assert row is not None
    sibling = TenantFixture(
        id=UUID(str(row[0])),
        org_id=tenant.org_id,
        slug=slug,
        source_id=uuid4(),
        user_email="",
        kri_slugs=(),
    )
    admin = create_user(conn, "tenant_admin", tenant=sibling)
    return TenantFixture(
        id=sibling.id,
        org_id=sibling.org_id,
        slug=slug,
        source_id=sibling.source_id,
        user_email=admin.email,
        kri_slugs=(),
    )


@pytest.fixture
def sibling_a(app_conn: Conn, tenant_a: TenantFixture) -> TenantFixture:
    """A second tenant of tenant A's organization."""
    return create_sibling_tenant(app_conn, tenant_a)
