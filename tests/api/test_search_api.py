"""Global search: names across the tenant's model and sources, one tenant at a time."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login


def _token(client: TestClient, tenant: TenantFixture) -> str:
    return str(login(client, tenant.user_email)["access_token"])


def test_search_finds_names_of_every_kind_in_the_callers_tenant_only(
    client: TestClient, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    token_a, token_b = _token(client, tenant_a), _token(client, tenant_b)
    risk = client.post(
        "/api/risks",
        headers=bearer(token_a),
        json={"slug": "zebra_outage", "title": "Zebra outage at the depot"},
    )
    assert risk.status_code == 201, risk.text
    vendor = client.post(
        "/api/vendors",
        headers=bearer(token_a),
        json={"slug": "zebra_co", "name": "Zebra Co", "tier": 2},
    )
    assert vendor.status_code == 201, vendor.text

    hits = client.get("/api/search", headers=bearer(token_a), params={"q": "zebra"}).json()
    assert {(h["kind"], h["id"]) for h in hits} == {
        ("risk", risk.json()["id"]),
        ("vendor", vendor.json()["id"]),
    }
    # Both names start with the query, so they come by name.
    assert [h["name"] for h in hits] == ["Zebra Co", "Zebra outage at the depot"]
    assert client.get("/api/search", headers=bearer(token_b), params={"q": "zebra"}).json() == []


def test_search_ranks_prefix_matches_first_and_reads_wildcards_literally(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    token = _token(client, tenant_a)
    for slug, title in (("a_later", "Outage of zulu"), ("b_first", "Zulu outage")):
        created = client.post(
            "/api/risks", headers=bearer(token), json={"slug": slug, "title": title}
        )
        assert created.status_code == 201, created.text
    names = [
        h["name"]
        for h in client.get("/api/search", headers=bearer(token), params={"q": "zulu"}).json()
    ]
    assert names == ["Zulu outage", "Outage of zulu"]
    assert client.get("/api/search", headers=bearer(token), params={"q": "%"}).json() == []
    one = client.get("/api/search", headers=bearer(token), params={"q": "zulu", "limit": 1})
    assert [h["name"] for h in one.json()] == ["Zulu outage"]


def test_search_finds_sources_and_kris_by_name(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    analyst = create_user(app_conn, "tenant_user", tenant=tenant_a)
    token = str(login(client, analyst.email)["access_token"])
    sources = client.get("/api/sources", headers=bearer(token)).json()
    source = next(s for s in sources if s["id"] == str(tenant_a.source_id))
    hits = client.get("/api/search", headers=bearer(token), params={"q": source["name"]}).json()
    assert {"kind": "source", "id": source["id"], "name": source["name"]} in hits
    kris = client.get("/api/kris", headers=bearer(token), params={"limit": 1}).json()["items"]
    kri_hits = client.get(
        "/api/search", headers=bearer(token), params={"q": kris[0]["name"]}
    ).json()
    assert {"kind": "kri", "id": kris[0]["id"], "name": kris[0]["name"]} in kri_hits


def test_search_refuses_empty_or_oversized_queries_with_a_reason(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    token = _token(client, tenant_a)
    for q in ("", "   ", "x" * 101, "a\x00b"):
        answer = client.get("/api/search", headers=bearer(token), params={"q": q})
        assert answer.status_code == 422, (q, answer.text)
