"""Tasks as the app role: tenant B never sees tenant A's tasks, comments, attachments or history,
whatever it asks for; the org scope (migration 0018) reads the tasks of its own organization's
tenants only, and nothing else of them."""

from __future__ import annotations

from uuid import UUID

import psycopg
import pytest
from fastapi.testclient import TestClient

from draxis.db.scope import Scope, scoped_transaction
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login

TABLES = ("task", "task_comment", "task_attachment", "task_event")


def _task_of(conn: Conn, tenant: TenantFixture, due: str | None = "2020-01-01") -> UUID:
    """A task with a comment, an attachment and a history row, written as the app role."""
    with scoped_transaction(conn, tenant.scope):
        row = conn.execute(
            "insert into tenant.task (tenant_id, title, due_date) values (%s, 'Secret', %s)"
            " returning id",
            (tenant.id, due),
        ).fetchone()
        assert row is not None
        conn.execute(
            "insert into tenant.task_comment (tenant_id, task_id, body) values (%s, %s, 'c')",
            (tenant.id, row[0]),
        )
        conn.execute(
            "insert into tenant.task_attachment (tenant_id, task_id, filename, content_type,"
            " size_bytes, content) values (%s, %s, 'a.txt', 'text/plain', 1, 'x')",
            (tenant.id, row[0]),
        )
        conn.execute(
            "insert into tenant.task_event (tenant_id, task_id, kind) values (%s, %s, 'created')",
            (tenant.id, row[0]),
        )
    return UUID(str(row[0]))


def test_tenant_b_sees_none_of_tenant_as_task_rows(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    task_id = _task_of(app_conn, tenant_a)
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        for table in TABLES:
            assert app_conn.execute(f"select count(*) from tenant.{table}").fetchone() == (1,)
    with scoped_transaction(app_conn, tenant_b.scope, read_only=True):
        for table in TABLES:
            assert app_conn.execute(f"select count(*) from tenant.{table}").fetchone() == (0,)
        by_id = app_conn.execute(
            "select count(*) from tenant.task_comment where task_id = %s", (task_id,)
        ).fetchone()
        assert by_id == (0,)
    with scoped_transaction(app_conn, tenant_b.scope):
        changed = app_conn.execute(
            "update tenant.task set title = 'Mine' where id = %s", (task_id,)
        ).rowcount
        assert changed == 0
        assert app_conn.execute("delete from tenant.task_attachment").rowcount == 0


def test_tenant_b_cannot_write_into_tenant_as_task(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    task_id = _task_of(app_conn, tenant_a)
    with (
        pytest.raises(psycopg.errors.InsufficientPrivilege),
        scoped_transaction(app_conn, tenant_b.scope),
    ):
        app_conn.execute(
            "insert into tenant.task_comment (tenant_id, task_id, body) values (%s, %s, 'x')",
            (tenant_a.id, task_id),
        )


def test_the_org_scope_reads_its_own_tenants_tasks_only(
    app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    _task_of(app_conn, tenant_a)
    _task_of(app_conn, tenant_b)
    with scoped_transaction(app_conn, Scope.org(tenant_a.org_id), read_only=True):
        tenants = app_conn.execute("select distinct tenant_id from tenant.task").fetchall()
        assert tenants == [(tenant_a.id,)]
        for table in TABLES[1:]:
            assert app_conn.execute(f"select count(*) from tenant.{table}").fetchone() == (0,)


def test_the_org_rollup_counts_each_tenants_overdue_tasks(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    for due in ("2020-01-01", "2020-02-01", "2999-01-01", None):
        _task_of(app_conn, tenant_a, due)
    _task_of(app_conn, tenant_b)
    master = create_user(app_conn, "master_admin", tenant=tenant_a)
    token = login(client, master.email)["access_token"]
    answer = client.get(f"/api/orgs/{tenant_a.org_id}/rollup", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert [(r["tenant_id"], r["overdue_tasks"]) for r in answer.json()] == [(str(tenant_a.id), 2)]
