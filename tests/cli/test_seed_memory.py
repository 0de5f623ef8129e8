"""The demo's institutional memory: seeded once, found by the panel's retrieval."""

from __future__ import annotations

from cli.seed.memory import facts_for, seed_memory
from draxis.db.scope import scoped_transaction
from panel.retrieval import relevant_chunks, relevant_facts
from tests.conftest import Conn
from tests.factories import TenantFixture


def test_seeding_twice_keeps_one_copy_and_retrieval_finds_it(
    app_conn: Conn, tenant_a: TenantFixture
) -> None:
    for _ in range(2):
        with scoped_transaction(app_conn, tenant_a.scope):
            seed_memory(app_conn, tenant_a.id, "acme-health")
    with scoped_transaction(app_conn, tenant_a.scope, read_only=True):
        facts = relevant_facts(app_conn, "When does the cyber insurance renew?", 50)
        documents = app_conn.execute(
            "select count(*), sum(chunk_count) from tenant.institutional_documents"
        ).fetchone()
        hits = relevant_chunks(app_conn, "Who escalates a personal-data breach to the DPO?", 2)
    assert len(facts) == len(facts_for("acme-health"))
    assert facts[0].key == "insurance.renewal"
    assert documents is not None
    assert documents[0] == 1
    assert documents[1] >= 5
    assert hits[0].heading == "Incident response"
    assert "72 hours" in hits[0].content
