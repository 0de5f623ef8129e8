"""The API: sign-in, the tenant's dashboard, and errors as problem+json."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import psycopg
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi.testclient import TestClient
from psycopg.rows import TupleRow
from pydantic import SecretStr

from draxis.db.scope import scoped_transaction
from draxis.security.tokens import Principal, issue_access_token
from draxis.settings import Settings
from tests.factories import PASSWORD, TenantFixture, materialize_tenant

PROBLEM = "application/problem+json"
Conn = psycopg.Connection[TupleRow]


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_health_checks_the_database(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert response.headers["x-request-id"]


def test_login_returns_a_token_carrying_the_tenant(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    response = client.post(
        "/api/auth/login", json={"email": tenant_a.user_email.upper(), "password": PASSWORD}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 900
    assert body["user"]["tenant_id"] == str(tenant_a.id)
    assert body["user"]["tenant_name"] == "Tenant A"
    assert "password" not in response.text


@pytest.mark.parametrize(
    "email_of",
    [lambda t: t.user_email, lambda t: f"nobody-{uuid4().hex}@example.test"],
    ids=["wrong-password", "unknown-user"],
)
def test_bad_credentials_get_the_same_401(
    client: TestClient, tenant_a: TenantFixture, email_of: object
) -> None:
    email = email_of(tenant_a)  # type: ignore[operator]
    response = client.post("/api/auth/login", json={"email": email, "password": "wrong"})
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["detail"] == "Invalid email or password."


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"email": "not-an-email", "password": "x"},
        {"email": "a@b.c", "password": ""},
        {"email": "a@b.c", "password": "x", "role": "superadmin"},
    ],
)
def test_bad_login_input_is_a_422_problem(client: TestClient, body: dict[str, str]) -> None:
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422
    assert problem["errors"]
    assert problem["detail"].startswith("Invalid request:")


def test_dashboard_lists_the_tenants_kris_with_colour(
    client: TestClient, settings: Settings, tenant_a: TenantFixture
) -> None:
    materialize_tenant(settings, tenant_a)
    response = client.get("/api/dashboard", headers=bearer(sign_in(client, tenant_a.user_email)))
    assert response.status_code == 200
    body = response.json()
    assert body["tenant"] == {"id": str(tenant_a.id), "name": "Tenant A"}
    assert {k["slug"] for k in body["kris"]} == set(tenant_a.kri_slugs)
    assert all(k["status"] in {"green", "amber", "red"} for k in body["kris"])
    assert all(k["value"] is not None and k["observed_at"] for k in body["kris"])
    assert sum(body["counts"].values()) == len(body["kris"])


def test_dashboard_shows_no_data_before_the_pipeline_ran(
    client: TestClient, tenant_a: TenantFixture
) -> None:
    body = client.get("/api/dashboard", headers=bearer(sign_in(client, tenant_a.user_email))).json()
    assert {k["status"] for k in body["kris"]} == {"no_data"}
    assert body["counts"]["no_data"] == len(tenant_a.kri_slugs)


def test_tenant_a_never_sees_tenant_b_through_the_api(
    client: TestClient, settings: Settings, tenant_a: TenantFixture, tenant_b: TenantFixture
) -> None:
    materialize_tenant(settings, tenant_b)
    body = client.get("/api/dashboard", headers=bearer(sign_in(client, tenant_a.user_email))).json()
    assert body["tenant"]["id"] == str(tenant_a.id)
    ids_b = client.get(
        "/api/dashboard", headers=bearer(sign_in(client, tenant_b.user_email))
    ).json()["kris"]
    assert {k["id"] for k in body["kris"]}.isdisjoint({k["id"] for k in ids_b})
    assert {k["status"] for k in body["kris"]} == {"no_data"}  # B's colours are not A's


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
    ids=["missing", "garbage", "wrong-scheme"],
)
def test_dashboard_without_a_valid_token_is_401(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.get("/api/dashboard", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_expired_and_foreign_tokens_are_401(
    client: TestClient, settings: Settings, tenant_a: TenantFixture
) -> None:
    principal = Principal(
        user_id=uuid4(),
        email=tenant_a.user_email,
        role="tenant_admin",
        tenant_id=tenant_a.id,
        org_id=tenant_a.org_id,
        carrier_id=None,
        mfa_verified=False,
        session_id=uuid4(),
    )
    expired = issue_access_token(settings, principal, now=datetime.now(UTC) - timedelta(hours=1))
    other_key = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    foreign = issue_access_token(
        settings.model_copy(update={"jwt_private_key": SecretStr(other_key)}), principal
    )
    for token in (expired, foreign):
        assert client.get("/api/dashboard", headers=bearer(token)).status_code == 401


def test_unknown_api_path_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/nope")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM


def test_openapi_documents_the_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/api/auth/login", "/api/dashboard"} <= set(paths)


def test_responses_carry_security_headers(client: TestClient, tenant_a: TenantFixture) -> None:
    token = sign_in(client, tenant_a.user_email)
    for response in (client.get("/health"), client.get("/api/dashboard", headers=bearer(token))):
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"
    api = client.get("/api/dashboard", headers=bearer(token))
    assert api.headers["cache-control"] == "no-store"


def test_web_client_is_served_for_non_api_paths(client: TestClient, settings: Settings) -> None:
    index = (settings.web_dist / "index.html").read_text()
    for path in ("/", "/login", "/some/deep/link"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.text == index
        assert response.headers["cache-control"] == "no-cache"
    asset = next((settings.web_dist / "assets").iterdir())
    response = client.get(f"/assets/{asset.name}")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]


def test_paths_outside_the_web_client_are_not_served(client: TestClient) -> None:
    response = client.get("/..%2F..%2Fpyproject.toml")
    assert response.status_code == 200
    assert "[project]" not in response.text


@pytest.mark.parametrize(
    ("content", "content_type"),
    [("{not json", "application/json"), ("email=a@b.c", "application/x-www-form-urlencoded")],
    ids=["malformed-json", "form-body"],
)
def test_login_body_that_is_not_json_is_a_422_problem(
    client: TestClient, content: str, content_type: str
) -> None:
    response = client.post(
        "/api/auth/login", content=content, headers={"Content-Type": content_type}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM


def test_deactivated_users_cannot_sign_in(
    client: TestClient, app_conn: Conn, tenant_a: TenantFixture
) -> None:
    with scoped_transaction(app_conn, tenant_a.scope):
        app_conn.execute("update platform.users set is_active = false")
    response = client.post(
        "/api/auth/login", json={"email": tenant_a.user_email, "password": PASSWORD}
    )
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid email or password."
