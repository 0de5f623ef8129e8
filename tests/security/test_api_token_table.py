"""`platform.api_token` as the database enforces it: what the app role may do, and what each
scope sees, proven from the catalog and by querying as the app role (not from the migration)."""

from __future__ import annotations

from uuid import UUID

import psycopg
import pytest

from draxis.db.scope import Scope, scoped_transaction
from draxis.security.api_tokens import hash_token, new_personal_token
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import create_user

APP = "draxis_app"
TABLE = "platform.api_token"


def _column_privilege(conn: Conn, role: str, column: str, privilege: str) -> bool:
    row = conn.execute(
        "select has_column_privilege(%s, %s, %s, %s)", (role, TABLE, column, privilege)
    ).fetchone()
    assert row is not None
    return bool(row[0])


def test_the_app_may_read_insert_and_revoke_but_never_rewrite_or_delete(app_conn: Conn) -> None:
    table = {
        p: app_conn.execute("select has_table_privilege(%s, %s, %s)", (APP, TABLE, p)).fetchone()
        for p in ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")
    }
    assert table == {
        "SELECT": (True,),
        "INSERT": (True,),
        "UPDATE": (False,),
        "DELETE": (False,),
        "TRUNCATE": (False,),
    }
    updatable = {
        column
        for (column,) in app_conn.execute(
            "select attname from pg_attribute where attrelid = %s::regclass and attnum > 0"
            " and not attisdropped",
            (TABLE,),
        ).fetchall()
        if _column_privilege(app_conn, APP, column, "UPDATE")
    }
    assert updatable == {"revoked_at"}


@pytest.mark.parametrize("role", ["draxis_pipeline", "draxis_dagster"])
def test_other_login_roles_cannot_touch_tokens(app_conn: Conn, role: str) -> None:
    row = app_conn.execute(
        "select has_table_privilege(%s, %s, 'SELECT') or has_table_privilege(%s, %s, 'INSERT')"
        " or has_any_column_privilege(%s, %s, 'SELECT')",
        (role, TABLE, role, TABLE, role, TABLE),
    ).fetchone()
    assert row == (False,)


def _insert_token(conn: Conn, user_id: UUID, tenant: TenantFixture | None) -> UUID:
    scope = (
        Scope.tenant(tenant.id, tenant.org_id, user_id)
        if tenant is not None
        else Scope.user(user_id)
    )
    with scoped_transaction(conn, scope):
        row = conn.execute(
            "insert into platform.api_token (kind, user_id, tenant_id, name, scope, token_hash,"
            " prefix, expires_at) values ('personal', %s, %s, 'db test', 'read', %s, 'drx_pat_x',"
            " now() + interval '1 day') returning id",
            (user_id, tenant.id if tenant else None, hash_token(new_personal_token())),
        ).fetchone()
    assert row is not None
    return UUID(str(row[0]))


def _visible(conn: Conn, scope: Scope) -> set[UUID]:
    with scoped_transaction(conn, scope, read_only=True):
        return {UUID(str(r[0])) for r in conn.execute("select id from platform.api_token")}


def test_a_tenant_scope_sees_only_its_tenants_tokens_and_a_user_only_their_own(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    user_a = create_user(app_conn, "tenant_user", tenant=tenant_a)
    user_b = create_user(app_conn, "tenant_user", tenant=tenant_b)
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    token_a = _insert_token(app_conn, user_a.id, tenant_a)
    token_b = _insert_token(app_conn, user_b.id, tenant_b)
    token_m = _insert_token(app_conn, master.id, None)
    seen_a = _visible(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id, user_a.id))
    assert token_a in seen_a
    assert not seen_a & {token_b, token_m}
    assert _visible(app_conn, Scope.user(master.id)) & {token_a, token_b, token_m} == {token_m}
    assert not _visible(app_conn, Scope.login()) & {token_a, token_b, token_m}


def test_no_one_can_plant_a_token_for_someone_else(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    victim = create_user(app_conn, "tenant_admin", tenant=tenant_b)
    attacker = create_user(app_conn, "tenant_user", tenant=tenant_a)
    colleague = create_user(app_conn, "tenant_admin", tenant=tenant_a)
    for target, tenant in ((victim.id, tenant_b.id), (colleague.id, tenant_a.id)):
        with (
            pytest.raises(psycopg.errors.InsufficientPrivilege),
            scoped_transaction(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id, attacker.id)),
        ):
            app_conn.execute(
                "insert into platform.api_token (kind, user_id, tenant_id, name, scope,"
                " token_hash, prefix, expires_at) values ('personal', %s, %s, 'x', 'read_write',"
                " %s, 'drx_pat_x', now() + interval '1 day')",
                (target, tenant, hash_token(new_personal_token())),
            )


def test_a_token_cannot_outlive_a_year(app_conn: Conn, tenant_a: TenantFixture) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    with (
        pytest.raises(psycopg.errors.CheckViolation),
        scoped_transaction(app_conn, Scope.tenant(tenant_a.id, tenant_a.org_id, user.id)),
    ):
        app_conn.execute(
            "insert into platform.api_token (kind, user_id, tenant_id, name, scope, token_hash,"
            " prefix, expires_at) values ('personal', %s, %s, 'x', 'read', %s, 'drx_pat_x',"
            " now() + interval '400 days')",
            (user.id, tenant_a.id, hash_token(new_personal_token())),
        )
