"""Auth: OAuth 2 client credentials, refreshing bearer tokens, and logs that never carry them.

Everything runs through the real `httpx.Client` over `httpx.MockTransport` (the harness's
`Recorded`); nothing sleeps and nothing leaves the process.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest

from connectors.auth import (
    BearerToken,
    OAuth2ClientCredentials,
    RefreshingBearer,
)
from connectors.errors import (
    AuthFailed,
)
from connectors.http import VendorHttp
from tests.connectors.harness import (
    Recorded,
    Resp,
    Route,
    assert_secrets_not_in_urls,
)
from tests.connectors.kit import CLIENT_SECRET, TOKEN, kit

# --- OAuth 2 client credentials --------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def token_response(token: str, expires_in: int = 3600) -> Resp:
    return Resp(json={"access_token": token, "token_type": "Bearer", "expires_in": expires_in})


def oauth(
    recorded: Recorded, clock: Clock, **kw: Any
) -> tuple[VendorHttp, OAuth2ClientCredentials]:
    http = kit(recorded, vendor="crowdstrike", base_url="https://api.crowdstrike.com")
    creds = OAuth2ClientCredentials(
        http, "/oauth2/token", "client-1", CLIENT_SECRET, clock=clock, **kw
    )
    http_with_auth = kit(
        recorded,
        vendor="crowdstrike",
        base_url="https://api.crowdstrike.com",
        auth=RefreshingBearer(creds),
    )
    return http_with_auth, creds


def test_oauth_token_is_cached_then_refreshed_before_expiry() -> None:
    recorded = Recorded(
        [
            Route("POST", "/oauth2/token", [token_response("t1", 1800), token_response("t2")]),
            Route("GET", "/devices", [Resp(json={"resources": []})]),
        ]
    )
    clock = Clock()
    http, creds = oauth(recorded, clock, scope="devices:read")
    http.get("/devices")
    http.get("/devices")
    tokens = recorded.calls_to("/oauth2/token")
    assert len(tokens) == 1
    assert tokens[0].form() == {
        "grant_type": "client_credentials",
        "scope": "devices:read",
        "client_id": "client-1",
        "client_secret": CLIENT_SECRET,
    }
    assert "Authorization" not in tokens[0].headers
    assert [c.headers["Authorization"] for c in recorded.calls_to("/devices")] == ["Bearer t1"] * 2
    clock.now += 1800 - 60 - 1
    assert creds.token() == "t1"
    clock.now += 2
    assert creds.token() == "t2"
    assert isinstance(creds.auth(), BearerToken)
    assert_secrets_not_in_urls(recorded, [CLIENT_SECRET, "t1", "t2"])


def test_oauth_basic_sends_the_secret_in_the_authorization_header() -> None:
    recorded = Recorded([Route("POST", "/oauth2/token", [token_response("t1")])])
    _, creds = oauth(recorded, Clock(), basic=True, extra={"audience": "api"})
    assert creds.token() == "t1"
    call = recorded.calls[0]
    assert call.headers["Authorization"].startswith("Basic ")
    assert call.form() == {"grant_type": "client_credentials", "audience": "api"}


@pytest.mark.parametrize("status", [400, 401])
def test_oauth_invalid_client_names_the_error(status: int) -> None:
    body = {"error": "invalid_client", "error_description": "Client authentication failed"}
    recorded = Recorded([Route("POST", "/oauth2/token", [Resp(status, json=body)])])
    _, creds = oauth(recorded, Clock())
    with pytest.raises(AuthFailed) as caught:
        creds.token()
    assert caught.value.status == 401
    assert str(caught.value) == (
        f"crowdstrike: the token endpoint refused the client credentials ({status} "
        "invalid_client): Client authentication failed"
    )
    assert CLIENT_SECRET not in str(caught.value)
    assert len(recorded.calls) == 1


def test_refreshing_bearer_retries_once_on_401_with_a_fresh_token() -> None:
    recorded = Recorded(
        [
            Route("POST", "/oauth2/token", [token_response("old"), token_response("new")]),
            Route("GET", "/devices", [Resp(401), Resp(json={"resources": [1]})]),
        ]
    )
    http, _ = oauth(recorded, Clock())
    assert http.get_json("/devices") == {"resources": [1]}
    assert [c.headers["Authorization"] for c in recorded.calls_to("/devices")] == [
        "Bearer old",
        "Bearer new",
    ]
    assert len(recorded.calls_to("/oauth2/token")) == 2


def test_refreshing_bearer_gives_up_after_one_refresh() -> None:
    recorded = Recorded(
        [
            Route("POST", "/oauth2/token", [token_response("a"), token_response("b")]),
            Route("GET", "/devices", [Resp(401)]),
        ]
    )
    http, _ = oauth(recorded, Clock())
    with pytest.raises(AuthFailed):
        http.get("/devices")
    assert len(recorded.calls_to("/devices")) == 2


# --- logs ------------------------------------------------------------------------------------


def test_logs_name_retries_but_never_secrets(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    recorded = Recorded(
        [
            Route("POST", "/oauth2/token", [Resp(503), token_response(TOKEN)]),
            Route("GET", "/devices", [Resp(429, headers={"Retry-After": "2"}), Resp(json={})]),
        ]
    )
    http, _ = oauth(recorded, Clock())
    http.get("/devices", params={"api_key": "query-5ecret"}, headers={"X-Key": "header-5ecret"})
    retries = [r for r in caplog.records if r.name == "connectors.http"]
    assert len(retries) == 2
    assert "crowdstrike: GET /devices returned 429; retry 1 of 3 in 2.00s" in caplog.text
    for secret in (TOKEN, CLIENT_SECRET, "query-5ecret", "header-5ecret", "api_key"):
        assert secret not in caplog.text
