"""Personal access tokens on the REST API: created once, stored as a hash, capped by scope.

A token goes through the same dependency chain as a session's JWT: the role capped by the
token's scope, the scope from the token's user, RLS unchanged. Revoked, expired and unknown
tokens are refused, push tokens too (anywhere but their push), and MFA policies hold.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Conn
from tests.factories import TenantFixture
from tests.identity import bearer, create_user, login

RISK = {"slug": "token_made_risk", "title": "Made by a token"}


def session_headers(client: TestClient, email: str) -> dict[str, str]:
    return bearer(str(login(client, email)["access_token"]))


def new_token(
    client: TestClient, headers: dict[str, str], scope: str = "read", **extra: Any
) -> dict[str, Any]:
    response = client.post(
        "/api/me/tokens", headers=headers, json={"name": f"{scope} script", "scope": scope, **extra}
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_a_read_token_reads_and_cannot_write(client: TestClient, tenant_a: TenantFixture) -> None:
    token = new_token(client, session_headers(client, tenant_a.user_email))
    assert token["token"].startswith("drx_pat_")
    assert token["prefix"] == token["token"][:12]
    headers = bearer(token["token"])
    board = client.get("/api/dashboard", headers=headers)
    assert board.status_code == 200, board.text
    assert board.json()["tenant"]["id"] == str(tenant_a.id)
    assert client.get("/api/risks", headers=headers).status_code == 200
    refused = client.post("/api/risks", headers=headers, json=RISK)
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]


def test_a_read_write_token_writes_as_its_user(
    client: TestClient, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    token = new_token(client, session_headers(client, tenant_a.user_email), "read_write")
    created = client.post("/api/risks", headers=bearer(token["token"]), json=RISK)
    assert created.status_code == 201, created.text
    row = observer_conn.execute(
        "select tenant_id from tenant.risk where id = %s", (created.json()["id"],)
    ).fetchone()
    assert row is not None
    assert row[0] == tenant_a.id
    actor = observer_conn.execute(
        "select a.actor_user_id = u.id from tenant.audit_log a join platform.users u"
        " on u.email = %s where a.action = 'risk.create' and a.target_id = %s",
        (tenant_a.user_email, created.json()["id"]),
    ).fetchone()
    assert actor == (True,)


def test_the_role_still_caps_a_read_write_token(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    token = new_token(client, session_headers(client, user.email), "read_write")
    assert client.post("/api/risks", headers=bearer(token["token"]), json=RISK).status_code == 403


def test_only_the_hash_is_stored(
    client: TestClient, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    token = new_token(client, session_headers(client, tenant_a.user_email))
    rows = observer_conn.execute(
        "select token_hash, prefix from platform.api_token where id = %s", (token["id"],)
    ).fetchall()
    assert len(rows) == 1
    stored, prefix = bytes(rows[0][0]), rows[0][1]
    assert len(stored) == 32
    assert token["token"].encode() not in stored
    assert prefix == token["token"][:12]
    listed = client.get("/api/me/tokens", headers=session_headers(client, tenant_a.user_email))
    assert listed.status_code == 200
    assert all("token" not in t for t in listed.json())
    assert token["id"] in {t["id"] for t in listed.json()}


def test_revoked_expired_and_unknown_tokens_are_refused(
    client: TestClient, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    session = session_headers(client, tenant_a.user_email)
    revoked, expired = new_token(client, session), new_token(client, session)
    assert client.delete(f"/api/me/tokens/{revoked['id']}", headers=session).status_code == 204
    observer_conn.execute(
        "update platform.api_token set expires_at = now() - interval '1 second',"
        " created_at = now() - interval '2 days' where id = %s",
        (expired["id"],),
    )
    for token in (revoked["token"], expired["token"], "drx_pat_" + "x" * 43):
        answer = client.get("/api/dashboard", headers=bearer(token))
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"].startswith("Bearer")


def test_expiry_defaults_to_90_days_and_is_at_most_a_year(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    session = session_headers(client, tenant_a.user_email)
    token = new_token(client, session)
    lifetime = datetime.fromisoformat(token["expires_at"]) - datetime.fromisoformat(
        token["created_at"]
    )
    assert 89 <= lifetime.days <= 90
    too_long = client.post(
        "/api/me/tokens", headers=session, json={"name": "x", "expires_in_days": 366}
    )
    assert too_long.status_code == 422


def test_a_token_cannot_mint_tokens_or_touch_its_identity(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    token = new_token(client, session_headers(client, tenant_a.user_email), "read_write")
    headers = bearer(token["token"])
    assert client.get("/api/me", headers=headers).status_code == 200
    minted = client.post("/api/me/tokens", headers=headers, json={"name": "child"})
    assert minted.status_code == 403
    assert client.delete(f"/api/me/tokens/{token['id']}", headers=headers).status_code == 403


def test_use_is_noted_once_a_minute_and_first_use_audited_once(
    client: TestClient, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    token = new_token(client, session_headers(client, tenant_a.user_email))
    for _ in range(3):
        assert client.get("/api/risks", headers=bearer(token["token"])).status_code == 200
    used = observer_conn.execute(
        "select last_used_at is not null from platform.api_token where id = %s", (token["id"],)
    ).fetchone()
    assert used == (True,)
    audits = observer_conn.execute(
        "select action, count(*) from tenant.audit_log where target_id = %s group by 1",
        (token["id"],),
    ).fetchall()
    assert dict(audits) == {"api_token.create": 1, "api_token.first_use": 1}


def test_tenant_admins_see_and_revoke_their_tenants_tokens(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    user = create_user(app_conn, "tenant_user", tenant=tenant_a)
    users_token = new_token(client, session_headers(client, user.email))
    admin = session_headers(client, tenant_a.user_email)
    listed = client.get("/api/tenant/tokens", headers=admin)
    assert listed.status_code == 200
    assert users_token["id"] in {t["id"] for t in listed.json()}
    assert (
        client.get("/api/tenant/tokens", headers=session_headers(client, user.email)).status_code
        == 403
    )
    other_admin = session_headers(client, tenant_b.user_email)
    assert users_token["id"] not in {
        t["id"] for t in client.get("/api/tenant/tokens", headers=other_admin).json()
    }
    path = f"/api/tenant/tokens/{users_token['id']}"
    assert client.delete(path, headers=other_admin).status_code == 404
    assert client.delete(path, headers=admin).status_code == 204
    assert client.get("/api/risks", headers=bearer(users_token["token"])).status_code == 401


def test_mfa_policy_is_met_only_by_tokens_from_verified_sessions(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    admin = session_headers(client, tenant_a.user_email)
    token = new_token(client, admin)
    assert client.get("/api/risks", headers=bearer(token["token"])).status_code == 200
    policy = client.put("/api/tenant/mfa-policy", headers=admin, json={"required": True})
    assert policy.status_code == 200, policy.text
    refused = client.get("/api/risks", headers=bearer(token["token"]))
    assert refused.status_code == 403
    assert refused.json()["type"].endswith("/mfa-required")


def test_push_tokens_only_push(client: TestClient, tenant_a: TenantFixture) -> None:
    admin = session_headers(client, tenant_a.user_email)
    source = client.post(
        "/api/sources",
        headers=admin,
        json={"vendor_id": "external-push", "name": "Pushed", "schedule": "manual"},
    )
    assert source.status_code == 201, source.text
    minted = client.post(f"/api/sources/{source.json()['id']}/push-token", headers=admin)
    assert minted.status_code == 201, minted.text
    push = bearer(minted.json()["token"])
    for path in ("/api/dashboard", "/api/risks", "/api/me", "/api/me/tokens"):
        answer = client.get(path, headers=push)
        assert answer.status_code == 403, (path, answer.text)
        assert "push" in answer.json()["detail"]
    pat = new_token(client, admin, "read_write")
    pushed = client.post("/api/push/kri-values", headers=bearer(pat["token"]), json={"values": []})
    assert pushed.status_code == 401


def test_token_ids_are_uuids(client: TestClient, tenant_a: TenantFixture) -> None:
    token = new_token(client, session_headers(client, tenant_a.user_email))
    assert UUID(token["id"])


def test_a_second_use_within_the_minute_leaves_last_used_alone(
    client: TestClient, tenant_a: TenantFixture, observer_conn: Conn
) -> None:
    token = new_token(client, session_headers(client, tenant_a.user_email))

    def last_used() -> object:
        row = observer_conn.execute(
            "select last_used_at from platform.api_token where id = %s", (token["id"],)
        ).fetchone()
        assert row is not None
        return row[0]

    assert client.get("/api/risks", headers=bearer(token["token"])).status_code == 200
    first = last_used()
    assert first is not None
    assert client.get("/api/risks", headers=bearer(token["token"])).status_code == 200
    assert last_used() == first
    observer_conn.execute(
        "update platform.api_token set last_used_at = now() - interval '2 minutes' where id = %s",
        (token["id"],),
    )
    assert client.get("/api/risks", headers=bearer(token["token"])).status_code == 200
    assert last_used() != first


def test_each_token_has_its_own_rate_limit(
    client: TestClient, tenant_a: TenantFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    session = session_headers(client, tenant_a.user_email)
    busy, quiet = new_token(client, session), new_token(client, session)
    monkeypatch.setattr("api.token_auth.RATE_LIMIT_PER_MINUTE", 3)
    answers = [client.get("/api/risks", headers=bearer(busy["token"])) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert int(answers[-1].headers["retry-after"]) > 0
    assert client.get("/api/risks", headers=bearer(quiet["token"])).status_code == 200
