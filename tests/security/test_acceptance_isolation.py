"""RLS probe of `tenant.risk_acceptance` (migration 0020), as the app's and the pipeline's roles:
another tenant's acceptances cannot be read, written, approved or pointed at, the pipeline sees
only its batch's tenants, and the app can never delete one (the table is the history)."""

from __future__ import annotations

from datetime import date, timedelta
from uuid import UUID

import psycopg
import pytest

from draxis.db.scope import Scope, scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import create_user


def _acceptance(app_conn: Conn, tenant: TenantFixture) -> tuple[UUID, UUID]:
    """A pending acceptance of a fresh risk of `tenant`, requested by one of its users."""
    requester = create_user(app_conn, "tenant_user", tenant=tenant)
    with scoped_transaction(app_conn, tenant.scope):
        risk = app_conn.execute(
            "insert into tenant.risk (tenant_id, slug, title) values (%s, 'probe', 'Probe')"
            " returning id",
            (tenant.id,),
        ).fetchone()
        assert risk is not None
        row = app_conn.execute(
            "insert into tenant.risk_acceptance (tenant_id, risk_id, justification,"
            " requested_by, expires_at) values (%s, %s, 'probe', %s, %s) returning id",
            (tenant.id, risk[0], requester.id, date.today() + timedelta(days=10)),
        ).fetchone()
        assert row is not None
    return UUID(str(row[0])), UUID(str(risk[0]))


def test_another_tenant_sees_and_changes_nothing(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    acceptance, risk = _acceptance(app_conn, tenant_a)
    with scoped_transaction(app_conn, tenant_b.scope):
        assert app_conn.execute("select count(*) from tenant.risk_acceptance").fetchone() == (0,)
        updated = app_conn.execute(
            "update tenant.risk_acceptance set status = 'revoked', ended_at = now(),"
            " reason = 'x' where id = %s",
            (acceptance,),
        ).rowcount
        assert updated == 0
    # Writing a row for tenant A from tenant B's scope is refused by the policy.
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        scoped_transaction(app_conn, tenant_b.scope),
    ):
        app_conn.execute(
            "insert into tenant.risk_acceptance (tenant_id, risk_id, justification,"
            " expires_at) values (%s, %s, 'cross', %s)",
            (tenant_a.id, risk, date.today() + timedelta(days=5)),
        )
    # A row of tenant B naming tenant A's risk is refused by the composite key.
    with (
        pytest.raises(psycopg.errors.ForeignKeyViolation),
        scoped_transaction(app_conn, tenant_b.scope),
    ):
        app_conn.execute(
            "insert into tenant.risk_acceptance (tenant_id, risk_id, justification,"
            " expires_at) values (%s, %s, 'cross', %s)",
            (tenant_b.id, risk, date.today() + timedelta(days=5)),
        )


def test_the_app_cannot_delete_history(app_conn: Conn, tenant_a: TenantFixture) -> None:
    acceptance, _ = _acceptance(app_conn, tenant_a)
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        scoped_transaction(app_conn, tenant_a.scope),
    ):
        app_conn.execute("delete from tenant.risk_acceptance where id = %s", (acceptance,))
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        scoped_transaction(app_conn, tenant_a.scope),
    ):  # nor rewrite what was asked
        app_conn.execute(
            "update tenant.risk_acceptance set justification = 'edited' where id = %s",
            (acceptance,),
        )


def test_the_pipeline_sees_exactly_its_batch(
    app_conn: Conn, pipeline_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    mine, _ = _acceptance(app_conn, tenant_a)
    _acceptance(app_conn, tenant_b)
    with scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id])):
        seen = pipeline_conn.execute("select id from tenant.risk_acceptance").fetchall()
        members = pipeline_conn.execute("select distinct tenant_id from platform.users").fetchall()
    assert [UUID(str(r[0])) for r in seen] == [mine]
    assert [UUID(str(r[0])) for r in members] == [tenant_a.id]
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        scoped_transaction(pipeline_conn, Scope.tenants([tenant_a.id])),
    ):  # the pipeline reads whom to notify (0019: their address too), never a password hash
        pipeline_conn.execute("select password_hash from platform.users")
