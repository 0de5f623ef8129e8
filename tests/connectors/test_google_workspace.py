"""Google Workspace connector against recorded Admin SDK responses (fixtures/google-workspace).

The service-account key is an RSA key generated at test time; the token endpoint's recorded
calls carry the JWT the connector signed, which is verified with the public key."""

from __future__ import annotations

import json
from functools import cache

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from connectors.base import ConnectorContext
from connectors.errors import AuthFailed
from connectors.google_workspace import (
    CONNECTOR,
    DIRECTORY_SCOPE,
    JWT_BEARER,
    LOGIN_PATH,
    REPORTS_SCOPE,
    USERS_PATH,
)
from connectors.google_workspace_apps import AUDIT_PATH as TOKENS_PATH
from tests.connectors.harness import (
    FIXED_NOW,
    Recorded,
    Resp,
    Route,
    assert_group_left_out,
    assert_secrets_not_in_urls,
    make_ctx,
    values,
)

ADMIN = "admin@acme.example"
CLIENT_EMAIL = "draxis-reader@acme-project.iam.gserviceaccount.com"
KEY_ID = "4f3e2d1c0b0a99887766554433221100ffeeddcc"
ACCESS = "ya29.a0-recorded-access-token"
TOKEN_OK = Resp(json={"access_token": ACCESS, "expires_in": 3599, "token_type": "Bearer"})


@cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


USER_SLUGS = tuple(k.slug for k in CONNECTOR.kris if k.slug != "failed_signins_per_day_7d")


def key_json() -> str:
    pem = (
        rsa_key()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    return json.dumps(
        {
            "type": "service_account",
            "project_id": "acme-project",
            "private_key_id": KEY_ID,
            "private_key": pem,
            "client_email": CLIENT_EMAIL,
            "client_id": "104857600000000000000",
            "auth_uri": "https://accounts.google.com/o/oauth2/auth",
            "token_uri": "https://oauth2.googleapis.com/token",
        }
    )


def private_pem() -> str:
    return str(json.loads(key_json())["private_key"])


def routes(**override: list[Resp]) -> list[Route]:
    table: dict[str, tuple[str, str, list[Resp]]] = {
        "token": ("POST", "/token", [TOKEN_OK]),
        "users": (
            "GET",
            USERS_PATH,
            [Resp(fixture="users_page1.json"), Resp(fixture="users_page2.json")],
        ),
        "logins": (
            "GET",
            LOGIN_PATH,
            [Resp(fixture="logins_page1.json"), Resp(fixture="logins_page2.json")],
        ),
        "tokens": (
            "GET",
            TOKENS_PATH,
            [Resp(fixture="tokens_page1.json"), Resp(fixture="tokens_page2.json")],
        ),
    }
    return [
        Route(method, path=path, responses=override.get(key, responses))
        for key, (method, path, responses) in table.items()
    ]


def build(recorded: Recorded, key: str | None = None) -> ConnectorContext:
    ctx, _ = make_ctx(
        "google-workspace",
        config={"admin_email": ADMIN},
        credentials={"service_account_key": key if key is not None else key_json()},
        recorded=recorded,
    )
    return ctx


def test_run_computes_every_kri_from_the_recorded_domain() -> None:
    recorded = Recorded(routes())
    result = CONNECTOR.run(build(recorded))

    assert recorded.unmatched == []
    assert result.warnings == ()
    got = values(result)
    # Active users: admin, bob, carol, dave, frank (erin is suspended).
    # Enrolled in 2SV: admin, bob, frank -> 3/5 = 60 %.
    assert got["mfa_enrollment_pct"] == 60.0
    # 2SV not enforced: carol, dave -> 2/5 = 40 %.
    assert got["two_step_not_enforced_pct"] == 40.0
    # isAdmin: admin, carol; carol is not enrolled.
    assert got["super_admins"] == 2
    assert got["super_admins_without_2sv"] == 1
    # Cutoff 2026-08-28: bob last logged in 2026-05-01; dave never did and was created
    # 2025-01-01; frank never did but was created 2026-11-20 -> 2.
    assert got["inactive_users_gt_90d"] == 2
    # 2 + 1 login_failure events over 7 days -> 3 / 7 = 0.43.
    assert got["failed_signins_per_day_7d"] == 0.43
    assert set(result.observations["observed_at"].to_list()) == {FIXED_NOW}
    assert result.items_fetched == 6 + 3
    api_calls = [c for c in recorded.calls if c.url.host == "admin.googleapis.com"]
    assert all(c.headers["Authorization"] == f"Bearer {ACCESS}" for c in api_calls)
    assert_secrets_not_in_urls(recorded, [private_pem().splitlines()[1]])


def test_the_token_endpoint_receives_a_signed_jwt_per_scope() -> None:
    recorded = Recorded(routes())
    CONNECTOR.run(build(recorded))

    token_calls = recorded.calls_to("/token", "POST")
    assert [c.url.host for c in token_calls] == ["oauth2.googleapis.com"] * 2
    scopes = []
    for call in token_calls:
        form = call.form()
        assert form["grant_type"] == JWT_BEARER
        assert "Authorization" not in call.headers
        assertion = form["assertion"]
        assert jwt.get_unverified_header(assertion) == {"alg": "RS256", "typ": "JWT", "kid": KEY_ID}
        claims = jwt.decode(
            assertion,
            rsa_key().public_key(),
            algorithms=["RS256"],
            audience="https://oauth2.googleapis.com/token",
            options={"verify_exp": False, "verify_iat": False},
        )
        assert claims["iss"] == CLIENT_EMAIL
        assert claims["sub"] == ADMIN
        assert claims["iat"] == int(FIXED_NOW.timestamp())
        assert claims["exp"] == claims["iat"] + 3600
        scopes.append(claims["scope"])
    assert scopes == [DIRECTORY_SCOPE, REPORTS_SCOPE]


def test_run_pages_with_next_page_token() -> None:
    recorded = Recorded(routes())
    CONNECTOR.run(build(recorded))

    users = recorded.calls_to(USERS_PATH)
    assert [c.params.get("pageToken") for c in users] == [None, "Q2FyZWZ1bGx5IG9wYXF1ZQ"]
    assert users[0].params["customer"] == "my_customer"
    assert users[0].params["maxResults"] == "500"
    logins = recorded.calls_to(LOGIN_PATH)
    assert [c.params.get("pageToken") for c in logins] == [None, "A:1732000000000000:-1234:login"]
    assert logins[0].params["eventName"] == "login_failure"
    assert logins[0].params["startTime"] == "2026-11-19T12:00:00.000Z"


def test_a_refused_key_fails_the_run_and_the_probe() -> None:
    refused = Resp(
        400, json={"error": "invalid_grant", "error_description": "Invalid JWT Signature."}
    )
    recorded = Recorded(routes(token=[refused]))
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(build(recorded))
    assert caught.value.status == 401
    assert "invalid_grant" in str(caught.value)
    assert str(caught.value).startswith("google-workspace:")

    probe = CONNECTOR.test(build(Recorded(routes(token=[refused]))))
    assert probe.ok is False
    assert "Invalid JWT Signature" in probe.message


@pytest.mark.parametrize("status", [401, 403])
def test_api_auth_failures(status: int) -> None:
    denied = Resp(status, json={"error": {"code": status, "message": "Not Authorized to access"}})
    recorded = Recorded(
        [
            Route("POST", path="/token", responses=[TOKEN_OK]),
            Route("GET", path_re="/admin/.*", responses=[denied]),
        ]
    )
    with pytest.raises(AuthFailed) as caught:
        CONNECTOR.run(build(recorded))
    assert caught.value.status == status
    message = str(caught.value)
    assert message.startswith("google-workspace:")
    assert str(status) in message
    assert ACCESS not in message

    probe = CONNECTOR.test(build(Recorded(routes(users=[denied]))))
    assert probe.ok is False
    assert str(status) in probe.message


def test_probe_succeeds() -> None:
    recorded = Recorded(routes(users=[Resp(json={"users": []})]))
    probe = CONNECTOR.test(build(recorded))
    assert probe.ok is True
    assert recorded.calls_to(USERS_PATH)[0].params["maxResults"] == "1"


def test_a_403_on_the_reports_api_leaves_only_failed_logins_out() -> None:
    denied = Resp(
        403, json={"error": {"code": 403, "message": "Not Authorized to access this resource/api"}}
    )
    recorded = Recorded(routes(logins=[denied]))
    result = CONNECTOR.run(build(recorded))
    got = values(result)
    assert "failed_signins_per_day_7d" not in got
    assert got["super_admins"] == 2
    assert len(result.warnings) == 1
    assert "failed_signins_per_day_7d" in result.warnings[0]


def test_a_scope_missing_from_the_delegation_leaves_its_kri_out() -> None:
    # The directory token is granted; the reports scope is not delegated.
    unauthorized = Resp(
        401,
        json={
            "error": "unauthorized_client",
            "error_description": "Client is unauthorized to retrieve access tokens using this "
            "method, or client not authorized for any of the scopes requested.",
        },
    )
    recorded = Recorded(routes(token=[TOKEN_OK, unauthorized]))
    result = CONNECTOR.run(build(recorded))
    got = values(result)
    assert "failed_signins_per_day_7d" not in got
    assert got["mfa_enrollment_pct"] == 60.0
    assert "admin.reports.audit.readonly" in result.warnings[0]
    assert recorded.calls_to(LOGIN_PATH) == []


def test_no_login_failures_is_zero_not_missing() -> None:
    recorded = Recorded(
        routes(logins=[Resp(json={"kind": "admin#reports#activities", "etag": "x"})])
    )
    assert values(CONNECTOR.run(build(recorded)))["failed_signins_per_day_7d"] == 0.0


def test_429_with_retry_after_then_success() -> None:
    limited = Resp(
        429,
        json={"error": {"code": 429, "message": "Quota exceeded"}},
        headers={"Retry-After": "11"},
    )
    recorded = Recorded(routes(users=[limited, Resp(fixture="users_page2.json")]))
    ctx, sleeps = make_ctx(
        "google-workspace",
        config={"admin_email": ADMIN},
        credentials={"service_account_key": key_json()},
        recorded=recorded,
    )
    result = CONNECTOR.run(ctx)
    assert sleeps == [11.0]
    assert values(result)["inactive_users_gt_90d"] == 1  # dave only, on page 2


def test_5xx_is_retried_then_its_group_is_left_out() -> None:
    recorded = Recorded(routes(users=[Resp(500, json={"error": {"code": 500}})]))
    ctx, sleeps = make_ctx(
        "google-workspace",
        config={"admin_email": ADMIN},
        credentials={"service_account_key": key_json()},
        recorded=recorded,
    )
    result = CONNECTOR.run(ctx)
    assert len(recorded.calls_to(USERS_PATH)) == 4
    assert len(sleeps) == 3
    assert_group_left_out(result, USER_SLUGS, "500")


def test_a_renamed_field_leaves_its_group_out_naming_it() -> None:
    page = {
        "users": [{"primaryEmail": "a@acme.example", "isAdmin": False, "isEnrolledIn2SV": True}]
    }
    result = CONNECTOR.run(build(Recorded(routes(users=[Resp(json=page)]))))
    assert_group_left_out(result, USER_SLUGS, "lastLoginTime")
    page = {
        "users": [
            {
                "primaryEmail": "a@acme.example",
                "isAdmin": False,
                "isEnrolledIn2SV": True,
                "isEnforcedIn2Sv": True,
                "lastLoginTime": "2026-11-01T00:00:00.000Z",
                "creationTime": "2020-01-01T00:00:00.000Z",
                "suspended": False,
            }
        ]
    }
    result = CONNECTOR.run(build(Recorded(routes(users=[Resp(json=page)]))))
    assert_group_left_out(result, USER_SLUGS, "isEnrolledIn2Sv")


@pytest.mark.parametrize(
    "key",
    ["not json", json.dumps({"type": "authorized_user"}), json.dumps({"type": "service_account"})],
)
def test_a_bad_key_is_refused_without_quoting_it(key: str) -> None:
    recorded = Recorded(routes())
    probe = CONNECTOR.test(build(recorded, key=key))
    assert probe.ok is False
    assert probe.message.startswith("google-workspace: ")
    assert recorded.calls == []


def test_a_key_whose_private_key_is_not_rsa_fails_clearly() -> None:
    key = json.dumps(
        {"type": "service_account", "client_email": CLIENT_EMAIL, "private_key": "-----BEGIN junk"}
    )
    probe = CONNECTOR.test(build(Recorded(routes()), key=key))
    assert probe.ok is False
    assert "not a usable RSA key" in probe.message
