"""The vendor HTTP client: retries, Retry-After and reset headers, errors, logs, the harness.

Everything runs through the real `httpx.Client` over `httpx.MockTransport` (the harness's
`Recorded`); nothing sleeps and nothing leaves the process.
"""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import pytest

from connectors.auth import (
    BearerToken,
    HeaderToken,
)
from connectors.errors import (
    AuthFailed,
    RateLimited,
    SchemaMismatch,
    UpstreamFailed,
)
from connectors.http import HttpPolicy
from tests.connectors.harness import (
    FIXED_NOW,
    Recorded,
    Resp,
    Route,
    make_ctx,
)
from tests.connectors.kit import TOKEN, kit, one_route

# --- retries ---------------------------------------------------------------------------------


def test_a_503_is_retried_with_backoff_then_succeeds() -> None:
    recorded = one_route("/vulns/export", Resp(503, body="busy"), Resp(json={"ok": True}))
    sleeps: list[float] = []
    assert kit(recorded, sleeps=sleeps).get_json("/vulns/export") == {"ok": True}
    assert len(recorded.calls) == 2
    assert len(sleeps) == 1
    assert 0 <= sleeps[0] <= HttpPolicy().backoff_base


def test_backoff_grows_exponentially_under_its_cap() -> None:
    recorded = one_route("/x", Resp(502))
    sleeps: list[float] = []
    policy = HttpPolicy(max_attempts=8, backoff_base=1.0, backoff_cap=4.0)
    with pytest.raises(UpstreamFailed):
        kit(recorded, sleeps=sleeps, policy=policy).get("/x")
    assert len(sleeps) == 7
    for retry, wait in enumerate(sleeps):
        assert 0 <= wait <= min(4.0, 2.0**retry)


def test_5xx_exhausted_fails_naming_vendor_path_status_attempts_and_body() -> None:
    recorded = one_route("/vulns/export", Resp(503, body="Service Unavailable " + "x" * 500))
    sleeps: list[float] = []
    with pytest.raises(UpstreamFailed) as caught:
        kit(recorded, sleeps=sleeps).get("/vulns/export", params={"chunk": 1})
    message = str(caught.value)
    assert message.startswith(
        "tenable-io: GET /vulns/export returned 503 after 4 attempts: Service Unavailable x"
    )
    assert len(message) < 300  # the body is cut to 200 characters
    assert "chunk" not in message  # never the query string
    assert caught.value.status == 503
    assert len(recorded.calls) == 4
    assert len(sleeps) == 3


def test_429_waits_the_retry_after_seconds() -> None:
    recorded = one_route("/users", Resp(429, headers={"Retry-After": "7"}), Resp(json=[]))
    sleeps: list[float] = []
    kit(recorded, sleeps=sleeps).get("/users")
    assert sleeps == [7.0]


def test_429_retry_after_as_an_http_date() -> None:
    when = format_datetime(FIXED_NOW + timedelta(seconds=30), usegmt=True)
    recorded = one_route("/users", Resp(429, headers={"Retry-After": when}), Resp(json=[]))
    sleeps: list[float] = []
    kit(recorded, sleeps=sleeps).get("/users")
    assert sleeps == [30.0]


def test_429_waits_until_an_epoch_reset_header_when_there_is_no_retry_after() -> None:
    reset = str(int(FIXED_NOW.timestamp()) + 17)
    limited = Resp(429, headers={"X-Rate-Limit-Reset": reset})
    recorded = one_route("/users", limited, Resp(json=[]))
    sleeps: list[float] = []
    kit(recorded, sleeps=sleeps, reset_headers=("X-Rate-Limit-Reset",)).get("/users")
    assert sleeps == [17.0]


def test_retry_after_wins_over_an_epoch_reset_header() -> None:
    reset = str(int(FIXED_NOW.timestamp()) + 17)
    limited = Resp(429, headers={"X-Rate-Limit-Reset": reset, "Retry-After": "3"})
    recorded = one_route("/users", limited, Resp(json=[]))
    sleeps: list[float] = []
    kit(recorded, sleeps=sleeps, reset_headers=("X-Rate-Limit-Reset",)).get("/users")
    assert sleeps == [3.0]


def test_429_without_retry_after_backs_off() -> None:
    recorded = one_route("/users", Resp(429), Resp(json=[]))
    sleeps: list[float] = []
    kit(recorded, sleeps=sleeps).get("/users")
    assert len(sleeps) == 1
    assert 0 <= sleeps[0] <= HttpPolicy().backoff_base


def test_a_retry_after_beyond_the_cap_fails_at_once() -> None:
    recorded = one_route("/users", Resp(429, headers={"Retry-After": "600"}))
    sleeps: list[float] = []
    with pytest.raises(RateLimited) as caught:
        kit(recorded, sleeps=sleeps).get("/users")
    assert caught.value.retry_after == 600
    assert "600s" in str(caught.value)
    assert sleeps == []
    assert len(recorded.calls) == 1


def test_429_exhausted_is_rate_limited() -> None:
    recorded = one_route("/users", Resp(429, headers={"Retry-After": "1"}, body="slow down"))
    sleeps: list[float] = []
    with pytest.raises(RateLimited) as caught:
        kit(recorded, sleeps=sleeps).get("/users")
    assert str(caught.value) == "tenable-io: GET /users returned 429 after 4 attempts: slow down"
    assert sleeps == [1.0, 1.0, 1.0]


def test_timeouts_and_transport_errors_are_retried() -> None:
    recorded = one_route(
        "/assets",
        Resp(error=httpx.ReadTimeout("slow")),
        Resp(error=httpx.ConnectError("reset")),
        Resp(json={"assets": []}),
    )
    sleeps: list[float] = []
    assert kit(recorded, sleeps=sleeps).get_json("/assets") == {"assets": []}
    assert len(sleeps) == 2


def test_timeouts_exhausted_fail_as_upstream() -> None:
    recorded = one_route("/assets", Resp(error=httpx.ReadTimeout("slow")))
    with pytest.raises(UpstreamFailed) as caught:
        kit(recorded).get("/assets")
    assert str(caught.value) == "tenable-io: GET /assets failed after 4 attempts: ReadTimeout"
    assert len(recorded.calls) == 4


def test_401_is_clear_and_not_retried() -> None:
    recorded = one_route("/api/v1/users", Resp(401, json={"errorSummary": "Invalid token"}))
    http = kit(recorded, vendor="okta", base_url="https://acme.okta.com")
    with pytest.raises(AuthFailed) as caught:
        http.get("/api/v1/users")
    assert str(caught.value) == (
        "okta: the API token was refused (401) on GET /api/v1/users — check the token and "
        "that it is not expired"
    )
    assert caught.value.status == 401
    assert len(recorded.calls) == 1


def test_403_names_the_vendor_message() -> None:
    body = {"errorCode": "E0000006", "errorSummary": "You do not have permission to perform"}
    recorded = one_route("/api/v1/logs", Resp(403, json=body))
    http = kit(recorded, vendor="okta", base_url="https://acme.okta.com")
    with pytest.raises(AuthFailed) as caught:
        http.get("/api/v1/logs")
    assert str(caught.value) == (
        "okta: the API token lacks permission (403) on GET /api/v1/logs: "
        "You do not have permission to perform"
    )
    assert caught.value.status == 403


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"error": {"code": "Forbidden", "message": "Insufficient privileges"}}, "Insufficient"),
        ({"errors": [{"code": 403, "message": "access denied, scope"}]}, "access denied, scope"),
        ({"message": "Resource not accessible by integration"}, "Resource not accessible"),
    ],
)
def test_403_reads_the_common_error_shapes(body: Any, message: str) -> None:
    recorded = one_route("/x", Resp(403, json=body))
    with pytest.raises(AuthFailed, match=message):
        kit(recorded).get("/x")


def test_404_and_other_4xx_are_not_retried() -> None:
    recorded = one_route("/scans/9", Resp(404, json={"error": "Scan not found"}))
    sleeps: list[float] = []
    with pytest.raises(UpstreamFailed) as caught:
        kit(recorded, sleeps=sleeps).get("/scans/9")
    assert str(caught.value).startswith("tenable-io: GET /scans/9 returned 404: ")
    assert "Scan not found" in str(caught.value)
    assert caught.value.status == 404
    assert len(recorded.calls) == 1
    assert sleeps == []


def test_a_2xx_that_is_not_json_is_a_schema_mismatch() -> None:
    recorded = one_route(
        "/me", Resp(200, body="<html>sign in</html>", headers={"content-type": "text/html"})
    )
    with pytest.raises(SchemaMismatch) as caught:
        kit(recorded).get_json("/me")
    assert caught.value.field == "<body>"
    assert "not JSON (text/html)" in str(caught.value)


def test_relative_urls_join_the_base_path_and_the_user_agent_names_the_vendor() -> None:
    recorded = one_route("/api/v2/users", Resp(json=[]))
    kit(recorded, vendor="okta", base_url="https://acme.okta.com/api/v2").get("/users")
    call = recorded.calls[0]
    assert str(call.url) == "https://acme.okta.com/api/v2/users"
    assert call.headers["User-Agent"] == "Draxis-Connector/1 (+okta)"


def test_request_auth_overrides_the_client_auth() -> None:
    recorded = one_route("/token", Resp(json={}), method="POST")
    http = kit(recorded, auth=BearerToken(TOKEN))
    http.post("/token", auth=httpx.BasicAuth("id", "secret"))
    assert recorded.calls[0].headers["Authorization"].startswith("Basic ")


def test_header_tokens() -> None:
    recorded = one_route("/x", Resp(json={}))
    okta = HeaderToken("Authorization", TOKEN, prefix="SSWS ")
    tenable = HeaderToken("X-ApiKeys", "accessKey=a;secretKey=s")
    kit(recorded, auth=okta).get("/x")
    kit(recorded, auth=tenable).get("/x")
    assert recorded.calls[0].headers["Authorization"] == f"SSWS {TOKEN}"
    assert recorded.calls[1].headers["X-ApiKeys"] == "accessKey=a;secretKey=s"
    assert TOKEN not in repr(okta)


# --- the harness and the context --------------------------------------------------------------


def test_make_ctx_gives_an_env_over_the_recording() -> None:
    recorded = Recorded(
        [Route("GET", "/x", [Resp(429, headers={"Retry-After": "3"}), Resp(json=1)])]
    )
    ctx, sleeps = make_ctx("demo-vendor", config={}, credentials={}, recorded=recorded)
    http = ctx.http_env.client(vendor="demo-vendor", base_url="https://api.example.com")
    assert http.get_json("/x") == 1
    assert sleeps == [3.0]
    assert ctx.clock() == FIXED_NOW
    http.get_json("/nothing-here", allow_status=(404,))
    assert [c.path for c in recorded.unmatched] == ["/nothing-here"]
