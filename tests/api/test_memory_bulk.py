"""Bulk delete of the memory's facts and documents: each as the single delete (audited per
item), in one transaction; an id of another tenant's refuses the lot, naming it."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.test_memory_api import (
    POLICY_MD,
    Headers,
    admin,
    admin_b,
    audit_rows,
    create_fact,
    problem,
    uploaded,
)
from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.security.helpers import nothing_written

__all__ = ["admin", "admin_b"]  # fixtures, shared


def test_facts_and_documents_are_deleted_at_once_or_not_at_all(
    client: TestClient,
    admin: Headers,
    admin_b: Headers,
    observer_conn: Conn,
    tenant_a: TenantFixture,
) -> None:
    facts = [create_fact(client, admin, key=f"bulk.fact_{i}")["id"] for i in range(2)]
    theirs = create_fact(client, admin_b, key="bulk.theirs")["id"]
    document = uploaded(client, admin, "policy.md", POLICY_MD)["id"]
    with nothing_written(observer_conn):
        refused = problem(
            client.post(
                "/api/memory/facts/bulk-delete", headers=admin, json={"ids": [*facts, theirs]}
            ),
            404,
        )
        assert theirs in refused["detail"]
    answer = client.post("/api/memory/facts/bulk-delete", headers=admin, json={"ids": facts})
    assert answer.status_code == 204, answer.text
    for fact in facts:
        problem(client.get(f"/api/memory/facts/{fact}", headers=admin), 404)
        assert [a for a, _ in audit_rows(observer_conn, tenant_a, fact)][-1] == "memory.fact.delete"
    answer = client.post(
        "/api/memory/documents/bulk-delete", headers=admin, json={"ids": [document]}
    )
    assert answer.status_code == 204, answer.text
    problem(client.get(f"/api/memory/documents/{document}", headers=admin), 404)
    assert client.get(f"/api/memory/facts/{theirs}", headers=admin_b).status_code == 200
